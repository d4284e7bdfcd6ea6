import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, test } from 'vitest';

const dir = tempDir();
const lake = join(dir.path, 'lake');
afterAll(() => dir.cleanup());

beforeAll(async () => {
  const r = await runCli(ectsumArgs('ingest', '2021Q1..2021Q2', lake));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ingested 60 firms \(0 rejected\) over 2 quarter\(s\)/);
  assert.match(r.stderr, /^AAP 2021Q2: \d+ sentences, [\d.]+ s$/m);
});

/** The `query` command on the ingested sample lake. */
const queryLake = (format: string, sql: string) => runCli(['query', '--lake', lake, '--format', format, sql]);

test('ingest of the sample: 30 firms a quarter, raw ≥ kept, filter counts add up', async () => {
  const r = await queryLake(
    'json',
    `SELECT quarter, count(*) AS firms, sum(n_sentences_raw) AS raw, sum(n_sentences) AS kept,
            sum(n_dropped_operator + n_dropped_safe_harbor + n_dropped_non_gaap + n_dropped_greeting + n_dropped_short) AS dropped,
            (SELECT count(*) FROM sentences s WHERE s.quarter = f.quarter) AS sentence_rows
     FROM firms f GROUP BY quarter ORDER BY quarter`,
  );
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout);
  assert.deepEqual(
    rows.map((x: { quarter: string; firms: number }) => [x.quarter, x.firms]),
    [
      ['2021Q1', 30],
      ['2021Q2', 30],
    ],
  );
  for (const x of rows) {
    assert.equal(x.raw - x.kept, x.dropped);
    assert.equal(x.kept, x.sentence_rows);
  }
});

test('sentence ids are {firm}:{quarter}:{position} and unique', async () => {
  const r = await queryLake(
    'csv',
    `SELECT count(*) AS n, count(DISTINCT sentence_id) AS d,
            count(*) FILTER (WHERE sentence_id <> firm_id || ':' || quarter || ':' || position) AS bad
     FROM sentences`,
  );
  assert.equal(r.code, 0, r.stderr);
  const [, values] = r.stdout.trim().split('\n');
  const [n, d, bad] = values.split(',').map(Number);
  assert.equal(n, d);
  assert.equal(bad, 0);
});

test('re-ingesting with another batch size replaces the quarter, never duplicates', async () => {
  for (const size of ['7', '50']) {
    const again = await runCli(ectsumArgs('ingest', '2021Q2', lake, ['--batch-size', size]));
    assert.equal(again.code, 0, again.stderr);
    const r = await queryLake(
      'json',
      `SELECT quarter, (SELECT count(*) FROM firms f WHERE f.quarter = s.quarter) AS firms, count(*) AS n, count(DISTINCT sentence_id) AS d
       FROM sentences s GROUP BY quarter ORDER BY quarter`,
    );
    const rows = JSON.parse(r.stdout);
    assert.deepEqual(
      rows.map((x: { firms: number }) => x.firms),
      [30, 30],
      `batch size ${size}`,
    );
    for (const x of rows) assert.equal(x.n, x.d);
  }
});

test('bad flags and values exit 2 with a reason and the usage', async () => {
  const r1 = await runCli([
    'ingest',
    '--source',
    'ectsum',
    '--input',
    EXAMPLES_ECTSUM,
    '--quarters',
    '2021Q5',
  ]);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /invalid quarter "2021Q5"/);
  assert.match(r1.stderr, /Usage: callthemes ingest/);
  const r2 = await runCli(['ingest', '--bogus']);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /unknown option '--bogus'/);
  const r3 = await runCli(['ingest', '--source', 'nope', '--input', 'x', '--quarters', '2021Q1']);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /unknown source "nope"/);
  const r4 = await queryLake('xml', 'SELECT 1');
  assert.equal(r4.code, 2);
});

test('ingest exits non-zero when nothing was ingested, and records why', async () => {
  const input = join(dir.path, 'bad-input');
  mkdirSync(input);
  writeFileSync(join(input, 'EMPTY_q1_2021.txt'), '');
  const badLake = join(dir.path, 'bad-lake');
  const r = await runCli(ectsumArgs('ingest', '2021Q1', badLake, [], input));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /reject EMPTY 2021Q1: empty file/);
  const q = await runCli([
    'query',
    '--lake',
    badLake,
    '--format',
    'json',
    'SELECT source_ref, reason FROM rejects',
  ]);
  assert.deepEqual(JSON.parse(q.stdout), [{ source_ref: 'EMPTY_q1_2021.txt', reason: 'empty file' }]);
});

test('settings: CALLTHEMES_LAKE is used when --lake is absent', async () => {
  const r = await runCli(['query', '--format', 'json', 'SELECT count(*) AS n FROM firms'], {
    CALLTHEMES_LAKE: lake,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [{ n: 60 }]);
});
