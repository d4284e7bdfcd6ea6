/**
 * The local run (`runLocalPlan`, the code behind `callthemes run`): the plan enqueued on the local backend, real
 * firm and theme worker processes, the lake compared with the firm stage run directly, metrics, resume and stop.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { PlanSettings } from '@callthemes/common/fleet';
import { LocalLakeStore } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { EctsumSource } from '@callthemes/common/sources';
import { runCli } from '@callthemes/common/testing/cli';
import { sampleSettings } from '@callthemes/common/testing/local-fleet';
import { EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { runFirmStage } from '@callthemes/firm-worker';
import { afterAll, test } from 'vitest';
import type { PlanRequest } from '../../src/fleet/plan-options.js';
import { runLocalPlan } from '../../src/run/local-run.js';
import { runMetricsSchema } from '../../src/run/run-metrics.js';
import type { ItemEvent, StageView } from '../../src/run/stage-view.js';
import { recordingProgress, snapshot } from './helpers.js';

const dir = tempDir('callthemes-run-');
afterAll(() => dir.cleanup());
const lake = join(dir.path, 'lake');

const source = { kind: 'ectsum', input: EXAMPLES_ECTSUM };
const request = (runId: string, over: Partial<PlanSettings> = {}): PlanRequest => ({
  quarters: ['2021Q1', '2021Q2'],
  runId,
  sourceOptions: source,
  settings: { ...sampleSettings({ firms: 12, partitionSize: 4, flushEvery: 3 }), ...over },
});

async function readMetrics(runId: string, at = lake) {
  const text = await new LocalLakeStore(at).getText(`_runs/${runId}.json`);
  assert.ok(text, `no metrics for ${runId}`);
  return runMetricsSchema.parse(JSON.parse(text));
}

const run = (req: PlanRequest, at = lake, extra: Partial<Parameters<typeof runLocalPlan>[0]> = {}) =>
  runLocalPlan({
    request: req,
    lake: at,
    concurrency: 2,
    workerEnv: {},
    progress: recordingProgress().progress,
    ...extra,
  });

test('a run over two quarters writes what one big firm batch writes, with themes, scores, metrics and per-firm lines', async () => {
  const { progress, lines } = recordingProgress();
  const out = await run(request('r1'), lake, { progress });
  assert.equal(out.status, 'ok', out.errors.join('\n'));

  // The same firms through one batch of the firm stage, no fleet: the ids must match exactly.
  const ref = join(dir.path, 'reference');
  const src = new EctsumSource(EXAMPLES_ECTSUM);
  for (const quarter of ['2021Q1', '2021Q2'])
    await runFirmStage({
      store: new LocalLakeStore(ref),
      source: src,
      quarter,
      batch: 0,
      batchSize: 1000,
      runId: 'ref',
      flushEvery: 1000,
      filter: { minTokens: 5 },
      firms: (await src.listFirms(quarter)).firms.slice(0, 12),
    });
  const got = await snapshot(lake);
  const want = await snapshot(ref);
  assert.deepEqual(got.firmIds, want.firmIds);
  assert.deepEqual(got.sentenceIds, want.sentenceIds);
  assert.equal(got.counts.firms, 24);
  assert.deepEqual(got.duplicates, []);
  assert.ok(got.counts.topics >= 24, `topics: ${got.counts.topics}`);
  const m = await readMetrics('r1');
  assert.equal(m.counts.topics, got.counts.topics);
  assert.ok(got.counts.themes > 0 && got.counts.topic_themes > 0, JSON.stringify(got.counts));
  assert.equal(m.counts.themes, got.counts.themes);
  // The firm workers labelled every kept sentence, once; the theme worker wrote one score row per theme.
  assert.equal(got.counts.sentence_sentiment, got.counts.sentences);
  assert.equal(got.counts.theme_sentiment, got.counts.themes);
  assert.ok(got.counts.firm_theme_sentiment >= got.counts.themes);

  assert.equal(m.status, 'ok');
  assert.equal(m.node, process.version);
  assert.equal(m.counts.firms, 24);
  assert.equal(m.counts.sentences, got.counts.sentences);
  assert.equal(m.firmSeconds.n, 24);
  assert.ok(m.firmSeconds.p90 >= m.firmSeconds.p50);
  assert.equal(m.lakeCounts?.sentences, got.counts.sentences);
  const q1 = m.stageQuarters?.find((s) => s.stage === 'firm' && s.quarter === '2021Q1');
  assert.deepEqual([q1?.batches, q1?.batchesRun, q1?.batchesSkipped, q1?.itemsOk], [3, 3, 0, 12]);
  const text = lines.join('\n');
  assert.match(text, /^AAP 2021Q1: \d+ sentences, \d+ topics, \d+\.\d\d s$/m);
  assert.match(text, /^firm 2021Q2: 12 firms, 0 rejected, [\d,]+ sentences, [\d,]+ topics/m);
  assert.match(text, /^themes 2021Q2: 12 firms, 0 rejected, \d+ themes/m);
});

test('the same command again finds the plan done, starts no worker and leaves the lake as it was', async () => {
  const before = await snapshot(lake);
  const { progress, lines } = recordingProgress();
  const out = await run(request('r1'), lake, { progress });
  assert.equal(out.status, 'ok');
  assert.doesNotMatch(lines.join('\n'), /started \d+ firm worker/);
  const m = await readMetrics('r1');
  assert.equal(m.counts.firms, 0);
  for (const s of m.stageQuarters ?? [])
    assert.deepEqual(
      [s.batchesRun, s.batchesSkipped],
      [0, s.stage === 'themes' ? 1 : 3],
      `${s.stage} ${s.quarter}`,
    );
  assert.deepEqual(await snapshot(lake), before);
});

test('fewer firms in a new run: partitions with the same firms are reused, changed ones redone, the rest removed', async () => {
  const out = await run(request('r3', { firms: { limit: 6 } }));
  assert.equal(out.status, 'ok', out.errors.join('\n'));
  const m = await readMetrics('r3');
  // 6 firms in partitions of 4: partition 0 holds the same 4 firms as before (reused), 1 now 2 (redone), 2 goes.
  for (const s of m.stageQuarters ?? [])
    assert.deepEqual(
      [s.batches, s.batchesRun, s.batchesSkipped],
      s.stage === 'themes' ? [1, 1, 0] : [2, 1, 1],
      `${s.stage} ${s.quarter}`,
    );
  const snap = await snapshot(lake);
  assert.equal(snap.counts.firms, 12);
  assert.deepEqual(snap.duplicates, []);
  assert.equal(snap.counts.sentence_sentiment, snap.counts.sentences, 'every sentence labelled once');
  const store = new LocalLakeStore(lake);
  assert.deepEqual(
    (await store.list('_manifests/quarter=2021Q1/'))
      .map((k) => k.split('/').pop())
      .filter((k) => k?.startsWith('firm-')),
    ['firm-batch-0000.json', 'firm-batch-0001.json', 'firm-layout.json'],
  );
});

test("relabelling a quarter with the sentiment command replaces the workers' labels and keeps the stored scores in step", async () => {
  const scores = async () => {
    const q = await LakeQuery.open(new LocalLakeStore(lake));
    try {
      return await q.rows(
        "SELECT theme_id, n_sentences, score FROM theme_sentiment WHERE quarter = '2021Q1' ORDER BY theme_id",
      );
    } finally {
      q.close();
    }
  };
  const before = await scores();
  assert.ok(before.length > 0);
  const r = await runCli(['sentiment', '--quarter', '2021Q1', '--batch-size', '5', '--lake', lake]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /batch size changed to 5; earlier label parts cleared/);
  const snap = await snapshot(lake);
  assert.deepEqual(snap.duplicates, []);
  assert.equal(snap.counts.sentence_sentiment, snap.counts.sentences);
  // The same lexicon: the same labels, so the rewritten score table equals the theme worker's.
  assert.deepEqual(await scores(), before);
});

test('a stop request releases the partitions in hand and ends interrupted; the same command completes the plan', async () => {
  const stopLake = join(dir.path, 'stop-lake');
  const stop = new AbortController();
  const { progress } = recordingProgress();
  let seen = 0;
  const onItem = progress.item.bind(progress);
  progress.item = (stage: StageView, e: ItemEvent) => {
    onItem(stage, e);
    if (++seen === 3) stop.abort();
  };
  const req = request('s1', { partitionSize: 6, flushEvery: 2 });
  const out = await run(req, stopLake, { progress, signal: stop.signal });
  assert.equal(out.status, 'interrupted');
  const partial = await snapshot(stopLake);
  assert.ok(
    partial.counts.firms >= 2 && partial.counts.firms < 24,
    `firms after stop: ${partial.counts.firms}`,
  );
  assert.deepEqual(partial.duplicates, []);

  const again = await run(req, stopLake);
  assert.equal(again.status, 'ok', again.errors.join('\n'));
  const full = await snapshot(stopLake);
  const reference = await snapshot(join(dir.path, 'reference'));
  assert.deepEqual(full.sentenceIds, reference.sentenceIds);
  assert.equal(full.counts.firms, 24);
  assert.deepEqual(full.duplicates, []);
});
