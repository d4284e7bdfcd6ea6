import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LocalLakeStore } from '@callthemes/common/lake';
import { EctsumSource } from '@callthemes/common/sources';
import { EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { runFirmStage } from '@callthemes/firm-worker';
import { afterAll, test } from 'vitest';
import { defaultRunSettings, type RunConfig } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/orchestrator.js';
import { runMetricsSchema } from '../../src/run/run-metrics.js';
import type { ItemEvent, StageDef } from '../../src/run/stage.js';
import { recordingProgress, snapshot } from './helpers.js';

const dir = tempDir('callthemes-run-');
afterAll(() => dir.cleanup());
const lake = join(dir.path, 'lake');

const config = (over: Partial<RunConfig> = {}): RunConfig => ({
  ...defaultRunSettings(),
  runId: 'r1',
  lake,
  source: { kind: 'ectsum', input: EXAMPLES_ECTSUM },
  quarters: ['2021Q1', '2021Q2'],
  firms: { limit: 12 },
  batchSize: 4,
  flushEvery: 3,
  ...over,
});

async function readMetrics(runId: string) {
  const text = await new LocalLakeStore(lake).getText(`_runs/${runId}.json`);
  assert.ok(text, `no metrics for ${runId}`);
  return runMetricsSchema.parse(JSON.parse(text));
}

test('a run over two quarters writes what one big ingest batch writes, with metrics and per-firm lines', async () => {
  const { progress, lines } = recordingProgress();
  const out = await runPipeline(config(), { progress });
  assert.equal(out.status, 'ok', out.errors.join('\n'));

  // The same firms through one batch of the firm stage, no pool: the ids must match exactly.
  const ref = join(dir.path, 'reference');
  const source = new EctsumSource(EXAMPLES_ECTSUM);
  for (const quarter of ['2021Q1', '2021Q2'])
    await runFirmStage({
      store: new LocalLakeStore(ref),
      source,
      quarter,
      batch: 0,
      batchSize: 1000,
      runId: 'ref',
      flushEvery: 1000,
      filter: { minTokens: 5 },
      firms: (await source.listFirms(quarter)).firms.slice(0, 12),
    });
  const got = await snapshot(lake);
  const want = await snapshot(ref);
  assert.deepEqual(got.firmIds, want.firmIds);
  assert.deepEqual(got.sentenceIds, want.sentenceIds);
  assert.equal(got.counts.firms, 24);
  assert.deepEqual(got.duplicates, []);
  // Topics of every firm, and the metrics count the same rows.
  assert.ok(got.counts.topics >= 24, `topics: ${got.counts.topics}`);
  assert.equal((await readMetrics('r1')).counts.topics, got.counts.topics);
  // Each quarter's themes were built from its topics.
  assert.ok(got.counts.themes > 0 && got.counts.topic_themes > 0, JSON.stringify(got.counts));
  assert.equal((await readMetrics('r1')).counts.themes, got.counts.themes);
  // The sentiment stage labelled every kept sentence, once.
  assert.equal(got.counts.sentence_sentiment, got.counts.sentences);

  const m = await readMetrics('r1');
  assert.equal(m.status, 'ok');
  assert.equal(m.node, process.version);
  assert.equal(m.counts.firms, 24);
  assert.equal(m.counts.sentences, got.counts.sentences);
  assert.equal(m.firmSeconds.n, 24);
  assert.ok(m.firmSeconds.p90 >= m.firmSeconds.p50);
  assert.equal(m.lakeCounts?.sentences, got.counts.sentences);
  const q1 = m.stageQuarters?.find((s) => s.stage === 'firm' && s.quarter === '2021Q1');
  assert.deepEqual([q1?.batches, q1?.batchesRun, q1?.batchesSkipped, q1?.itemsOk], [3, 3, 0, 12]);
  assert.match(lines.join('\n'), /^AAP 2021Q1: \d+ sentences, \d+ topics, \d+\.\d\d s$/m);
  assert.match(
    lines.join('\n'),
    /^firm 2021Q2: 12 firms, 0 rejected, [\d,]+ sentences, [\d,]+ topics in [\d.]+ s/m,
  );
});

test('the same command again skips every finished batch and leaves the lake as it was', async () => {
  const before = await snapshot(lake);
  const { progress } = recordingProgress();
  const out = await runPipeline(config({ runId: 'r2' }), { progress });
  assert.equal(out.status, 'ok');
  const m = await readMetrics('r2');
  assert.equal(m.counts.firms, 0);
  for (const s of m.stageQuarters ?? [])
    assert.deepEqual(
      [s.batchesRun, s.batchesSkipped],
      [0, s.stage === 'themes' ? 1 : 3],
      `${s.stage} ${s.quarter}`,
    );
  assert.deepEqual(await snapshot(lake), before);
});

test('fewer firms: unchanged batches are kept, changed ones redone, batches beyond the new count removed', async () => {
  const { progress } = recordingProgress();
  const out = await runPipeline(config({ runId: 'r3', firms: { limit: 6 } }), { progress });
  assert.equal(out.status, 'ok');
  const m = await readMetrics('r3');
  // 6 firms in batches of 4: batch 0 holds the same 4 firms as before (kept), batch 1 now 2 (redone), batch 2 goes.
  // The quarter's themes are rebuilt: their firms changed.
  for (const s of m.stageQuarters ?? [])
    assert.deepEqual(
      [s.batches, s.batchesRun, s.batchesSkipped],
      s.stage === 'themes' ? [1, 1, 0] : [2, 1, 1],
      `${s.stage} ${s.quarter}`,
    );
  const snap = await snapshot(lake);
  assert.equal(snap.counts.firms, 12);
  assert.deepEqual(snap.duplicates, []);
  const store = new LocalLakeStore(lake);
  assert.deepEqual(
    (await store.list('_manifests/quarter=2021Q1/'))
      .map((k) => k.split('/').pop())
      .filter((k) => k?.startsWith('firm-')),
    ['firm-batch-0000.json', 'firm-batch-0001.json', 'firm-layout.json'],
  );
});

test('a stop request finishes the current firms, flushes, ends interrupted; the rerun completes the quarter', async () => {
  const stopLake = join(dir.path, 'stop-lake');
  const stop = new AbortController();
  const { progress, lines } = recordingProgress();
  let seen = 0;
  const onItem = progress.item.bind(progress);
  progress.item = (stage: StageDef, e: ItemEvent) => {
    onItem(stage, e);
    if (++seen === 3) stop.abort();
  };
  const out = await runPipeline(config({ runId: 's1', lake: stopLake, batchSize: 6, flushEvery: 2 }), {
    progress,
    signal: stop.signal,
  });
  assert.equal(out.status, 'interrupted');
  assert.match(lines.join('\n'), /stop requested/);
  const partial = await snapshot(stopLake);
  assert.ok(
    partial.counts.firms >= 3 && partial.counts.firms < 60,
    `firms after stop: ${partial.counts.firms}`,
  );
  // Flushed parts hold whole firms: every firm row has its sentences.
  assert.deepEqual(partial.duplicates, []);

  const again = await runPipeline(config({ runId: 's2', lake: stopLake, batchSize: 6, flushEvery: 2 }), {
    progress: recordingProgress().progress,
  });
  assert.equal(again.status, 'ok');
  const full = await snapshot(stopLake);
  const reference = await snapshot(join(dir.path, 'reference'));
  assert.deepEqual(full.sentenceIds, reference.sentenceIds);
  assert.equal(full.counts.firms, 24);
});
