/**
 * Issue 29: a small real quarter whose themes collapsed under excess-of-mass selection. ECTSum 2019Q4 (36 firms,
 * ~300 topics) through the firm stage as `callthemes run` runs it, then the theme model as the theme worker runs
 * it (defaults + embedded keywords) for seeds 1–5: every seed gives a usable set of themes, none holding an
 * outsized share. The old selection (eom) collapses at least one of these seeds into one theme holding ~40 % of
 * the topics or more, and the degenerate rule names it.
 */
import assert from 'node:assert/strict';
import { matrixFromRows } from '@callthemes/common/cluster';
import { SifEmbedder } from '@callthemes/common/embed';
import { openStore } from '@callthemes/common/lake';
import { createSource } from '@callthemes/common/sources';
import { ECTSUM_DIR, needsSharedData, tempDir } from '@callthemes/common/testing/paths';
import { fitThemes } from '@callthemes/common/themes';
import { createTopicAnalyzer } from '@callthemes/common/topics';
import { runFirmStage } from '@callthemes/firm-worker';
import { afterAll, test } from 'vitest';
import { readQuarterTopics } from '../src/theme-io.js';

const lake = tempDir('callthemes-collapse-');
afterAll(() => lake.cleanup());

test(
  'ECTSum 2019Q4: seeds 1–5 all give themes (none over 25 % of topics); eom collapses and is flagged',
  needsSharedData(),
  async () => {
    const store = openStore(lake.path);
    const embedder = SifEmbedder.load();
    const source = await createSource({ kind: 'ectsum', input: ECTSUM_DIR });
    await runFirmStage({
      store,
      source,
      quarter: '2019Q4',
      batch: 0,
      batchSize: 100,
      runId: 'collapse',
      flushEvery: 100,
      filter: { minTokens: 5 },
      analyzer: createTopicAnalyzer({ embedder, model: { seed: 42 } }),
    });
    const { topics } = await readQuarterTopics(store, '2019Q4');
    assert.equal(new Set(topics.map((t) => t.firmId)).size, 36);
    assert.ok(topics.length > 250, `${topics.length} topics`);
    const vectors = matrixFromRows(
      await embedder.embed(topics.map((t) => t.keywords.join(' '))),
      embedder.dim,
    );
    const extra = { vectors, weight: 1 };

    const counts: number[] = [];
    for (const seed of [1, 2, 3, 4, 5]) {
      const { stats } = fitThemes(topics, { seed }, extra);
      counts.push(stats.themes);
      assert.ok(stats.themes >= 8, `seed ${seed}: ${stats.themes} themes`);
      assert.ok(stats.largestShare <= 0.25, `seed ${seed}: largest theme ${stats.largestShare}`);
      assert.ok(stats.coverage >= 0.6, `seed ${seed}: coverage ${stats.coverage}`);
      assert.equal(stats.degenerate, null);
    }
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 4, `theme counts ${counts.join(', ')}`);

    // Excess of mass, the selection before: the glob left after a small far group splits off the root wins.
    const eom = [1, 2, 3, 4, 5].map((seed) => fitThemes(topics, { seed, selection: 'eom' }, extra).stats);
    const worst = eom.reduce((a, b) => (b.largestShare > a.largestShare ? b : a));
    assert.ok(worst.largestShare >= 0.35, `eom's largest theme at most ${worst.largestShare}`);
    assert.match(worst.degenerate ?? '', /one theme holds \d+% of the quarter's \d+ topics/);
  },
);
