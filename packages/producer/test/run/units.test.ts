import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactUrlPasswords } from '@callthemes/common/config';
import { selectFirms } from '@callthemes/common/fleet';
import { LocalLakeStore, prunePartitionsFrom } from '@callthemes/common/lake';
import type { FirmRef } from '@callthemes/common/sources';
import { tempDir } from '@callthemes/common/testing/paths';
import { afterAll, test } from 'vitest';
import { firmSelectionFrom } from '../../src/fleet/plan-options.js';
import { percentile } from '../../src/run/metrics.js';

const dir = tempDir('callthemes-run-units-');
afterAll(() => dir.cleanup());

test('percentile interpolates between ranks', () => {
  assert.equal(percentile([], 0.5), 0);
  assert.equal(percentile([3, 1, 2], 0.5), 2);
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2.5);
  // p90 of 1..10: rank 8.1 of 0..9 → 9 + 0.1 × (10 − 9)
  assert.equal(percentile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 0.9), 9.1);
});

test('--firms: a count, or a file of ids (deduplicated, # comments); selection keeps the listing order', () => {
  assert.deepEqual(firmSelectionFrom('12'), { limit: 12 });
  assert.equal(firmSelectionFrom(undefined), null);
  const file = join(dir.path, 'ids.txt');
  writeFileSync(file, 'MSFT\n# big tech\nAAPL, ZZZ\nAAPL\n\n');
  const sel = firmSelectionFrom(file);
  assert.deepEqual(sel, { file, ids: ['MSFT', 'AAPL', 'ZZZ'] });
  const ref = (id: string): FirmRef => ({
    firmId: id,
    ticker: id,
    quarter: '2021Q2',
    sourceRef: `${id}.txt`,
  });
  const listing = ['AAPL', 'IBM', 'MSFT'].map(ref);
  assert.deepEqual(
    selectFirms(listing, sel).map((f) => f.firmId),
    ['AAPL', 'MSFT'],
  );
  assert.deepEqual(
    selectFirms(listing, { limit: 2 }).map((f) => f.firmId),
    ['AAPL', 'IBM'],
  );
});

test('pruning removes a stage’s batches from N on (parts, rejects, manifests) and nothing else', async () => {
  const store = new LocalLakeStore(join(dir.path, 'lake'));
  const keys = [
    'firms/quarter=2021Q2/batch-0000-part-0001.parquet',
    'firms/quarter=2021Q2/batch-0002-part-0001.parquet',
    'sentences/quarter=2021Q2/batch-0002-part-0003.parquet',
    'sentences/quarter=2021Q3/batch-0002-part-0001.parquet',
    'sentence_sentiment/quarter=2021Q2/sentiment-batch-0002-part-0001.parquet',
    'rejects/quarter=2021Q2/batch-0002.parquet',
    'rejects/quarter=2021Q2/list.parquet',
    '_manifests/quarter=2021Q2/firm-batch-0001.json',
    '_manifests/quarter=2021Q2/firm-batch-0002.json',
    '_manifests/quarter=2021Q2/firm-layout.json',
    '_manifests/quarter=2021Q2/sentiment-batch-0002.json',
  ];
  for (const k of keys) await store.putText(k, 'x');
  const removed = await prunePartitionsFrom(store, '2021Q2', 'firm', ['firms', 'sentences', 'topics'], 2);
  assert.equal(removed, 4);
  assert.deepEqual(await store.list(''), [
    '_manifests/quarter=2021Q2/firm-batch-0001.json',
    '_manifests/quarter=2021Q2/firm-layout.json',
    '_manifests/quarter=2021Q2/sentiment-batch-0002.json',
    'firms/quarter=2021Q2/batch-0000-part-0001.parquet',
    'rejects/quarter=2021Q2/list.parquet',
    'sentence_sentiment/quarter=2021Q2/sentiment-batch-0002-part-0001.parquet',
    'sentences/quarter=2021Q3/batch-0002-part-0001.parquet',
  ]);
});

test('run metrics never show a password given inside a URL', () => {
  const masked = redactUrlPasswords({
    source: { kind: 'capiq', pgUrl: 'postgresql://alice:s3cr%40t@db.example:5432/wrds' },
    services: { llmUrl: 'http://u:p@127.0.0.1:8000/v1', embedUrl: 'http://127.0.0.1:9000/v1' },
  });
  assert.equal(masked.source.pgUrl, 'postgresql://alice:***@db.example:5432/wrds');
  assert.equal(masked.services.llmUrl, 'http://u:***@127.0.0.1:8000/v1');
  assert.equal(masked.services.embedUrl, 'http://127.0.0.1:9000/v1');
});
