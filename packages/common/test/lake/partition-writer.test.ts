import assert from 'node:assert/strict';
import { test } from 'vitest';
import { PartitionWriter, readManifest } from '../../src/lake/partition-writer.js';
import type { Row, TableName } from '../../src/lake/schema.js';
import { LocalLakeStore } from '../../src/lake/store.js';
import { LakeQuery } from '../../src/query/lake-query.js';
import { inTempDir } from '../helpers/paths.js';

function firmRows(firm: string, nSentences: number, tag: string): Partial<Record<TableName, Row[]>> {
  const sentences = Array.from({ length: nSentences }, (_, i) => ({
    sentence_id: `${firm}:2021Q2:${i}`,
    firm_id: firm,
    transcript_id: `${firm}_q2_2021`,
    position: i,
    component_order: i,
    section: 'prepared',
    speaker_name: null,
    speaker_role: 'unknown',
    text: `${tag} sentence ${i} of ${firm}`,
    topic_id: null,
  }));
  const topics = [
    {
      topic_id: `${firm}:2021Q2:t0`,
      firm_id: firm,
      size: nSentences,
      keywords: ['demand', 'pricing'],
      name: 'Demand and pricing',
      name_source: 'keywords',
      description: null,
      representative_sentence_ids: [`${firm}:2021Q2:0`],
      centroid: new Float32Array([0.25, -0.5, 1]),
      embedding_model: 'test',
    },
  ];
  return { sentences, topics };
}

async function writeBatch(
  store: LocalLakeStore,
  firms: string[],
  flushEvery: number,
  tag: string,
  stopAfter?: number,
) {
  const w = new PartitionWriter({
    store,
    stage: 'firm',
    quarter: '2021Q2',
    batch: 7,
    batchSize: 50,
    runId: tag,
    tables: ['sentences', 'topics'],
    flushEvery,
    completionTable: 'topics',
  });
  for (const [i, f] of firms.entries()) {
    if (stopAfter !== undefined && i === stopAfter) return null; // crash: no finish, no manifest
    if (f === 'BAD') {
      w.addReject({
        source_ref: 'BAD_q2_2021.json',
        firm_id: 'BAD',
        stage: 'fetch',
        reason: 'malformed JSON',
      });
      await w.skipItem(f);
      continue;
    }
    await w.addItem(f, firmRows(f, 3, tag));
  }
  return w.finish();
}

test('parts every N firms, manifest last, list columns round-trip', () =>
  inTempDir(async (dir) => {
    const store = new LocalLakeStore(dir);
    const m = await writeBatch(store, ['AAA', 'BAD', 'CCC', 'DDD', 'EEE'], 2, 'first');
    assert.ok(m);
    assert.deepEqual(m.parts.sentences, [
      'sentences/quarter=2021Q2/batch-0007-part-0001.parquet',
      'sentences/quarter=2021Q2/batch-0007-part-0002.parquet',
      'sentences/quarter=2021Q2/batch-0007-part-0003.parquet',
    ]);
    assert.deepEqual(m.items, ['AAA', 'CCC', 'DDD', 'EEE']);
    assert.equal(m.rows.sentences, 12);
    assert.deepEqual(await readManifest(store, '2021Q2', 'firm', 7), m);
    const q = await LakeQuery.open(store);
    const [counts] = await q.rows(
      `SELECT count(*) AS n, count(DISTINCT sentence_id) AS ids, min(quarter) AS quarter FROM sentences`,
    );
    assert.deepEqual(counts, { n: 12, ids: 12, quarter: '2021Q2' });
    const [topic] = await q.rows(`SELECT keywords, centroid, description FROM topics WHERE firm_id = 'CCC'`);
    assert.deepEqual(topic, {
      keywords: ['demand', 'pricing'],
      centroid: [0.25, -0.5, 1],
      description: null,
    });
    const rejects = await q.rows(`SELECT source_ref, firm_id, stage, reason, quarter FROM rejects`);
    assert.deepEqual(rejects, [
      {
        source_ref: 'BAD_q2_2021.json',
        firm_id: 'BAD',
        stage: 'fetch',
        reason: 'malformed JSON',
        quarter: '2021Q2',
      },
    ]);
    q.close();
  }));

test('a re-run replaces the batch: no duplicates, stale parts of the earlier attempt removed', () =>
  inTempDir(async (dir) => {
    const store = new LocalLakeStore(dir);
    const firms = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];
    // A crashed attempt with one firm per part: parts 1-3 written, no manifest.
    assert.equal(await writeBatch(store, firms, 1, 'crashed', 3), null);
    assert.equal(await readManifest(store, '2021Q2', 'firm', 7), null);
    // The re-run uses two firms per part: parts 1-3 replace, and the crashed attempt's extra parts go.
    await writeBatch(store, firms, 2, 'rerun');
    const keys = await store.list('sentences/');
    assert.equal(keys.length, 3);
    const q = await LakeQuery.open(store);
    const [c] = await q.rows(
      `SELECT count(*) AS n, count(DISTINCT sentence_id) AS ids, min(text) AS t FROM sentences`,
    );
    assert.deepEqual(c, { n: 15, ids: 15, t: 'rerun sentence 0 of AAA' });
    q.close();
    // Re-running a finished batch again gives identical counts.
    await writeBatch(store, firms, 2, 'again');
    const q2 = await LakeQuery.open(store);
    const [c2] = await q2.rows(`SELECT count(*) AS n FROM sentences`);
    assert.equal(c2.n, 15);
    q2.close();
  }));

test('empty lake: every table is queryable with its columns and no rows', () =>
  inTempDir(async (dir) => {
    const q = await LakeQuery.open(new LocalLakeStore(dir));
    const rows = await q.rows(`SELECT count(*) AS n FROM topics`);
    assert.deepEqual(rows, [{ n: 0 }]);
    const cols = await q.rows(`SELECT column_name FROM (DESCRIBE themes)`);
    assert.ok(cols.map((r) => r.column_name).includes('dominance'));
    q.close();
  }));

test('store keys cannot escape the lake', () =>
  inTempDir(async (dir) => {
    const store = new LocalLakeStore(dir);
    await assert.rejects(store.putText('../outside.txt', 'x'), /escapes the lake/);
  }));
