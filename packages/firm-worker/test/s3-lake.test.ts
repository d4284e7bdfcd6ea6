import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import {
  type LakeStore,
  LocalLakeStore,
  openStore,
  partKey,
  readManifest,
  S3LakeStore,
} from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { EctsumSource } from '@callthemes/common/sources';
import { EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { type LocalS3, startS3rver } from '@callthemes/common/testing/s3rver';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { runFirmStage } from '../src/firm-stage.js';

let s3: LocalS3;
const tmp = tempDir('callthemes-s3-test-');

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
  tmp.cleanup();
});

const store = (prefix: string, partSize?: number) =>
  new S3LakeStore(`s3://${s3.bucket}/${prefix}`, { client: s3.client, partSize });

async function objectBytes(key: string): Promise<Buffer> {
  const res = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

/** Copies every object of an S3 lake into a local folder, so local DuckDB can read it (no httpfs here). */
async function download(lake: S3LakeStore, dest: string): Promise<LocalLakeStore> {
  for (const key of await lake.list('')) {
    const path = join(dest, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, await objectBytes(lake.objectKey(key)));
  }
  return new LocalLakeStore(dest);
}

describe('S3 lake store on a local S3 server', () => {
  test('object operations, keys relative to the prefix, missing objects', async () => {
    const lake = store('ops/run-1');
    assert.equal(lake.root, 's3://lake/ops/run-1');
    assert.equal(
      lake.url('topics/quarter=2021Q1/*.parquet'),
      's3://lake/ops/run-1/topics/quarter=2021Q1/*.parquet',
    );
    await lake.putText('_manifests/quarter=2021Q1/firm-batch-0000.json', '{"a":1}\n');
    await lake.putText('_manifests/quarter=2021Q1/firm-batch-0001.json', '{"b":2}\n');
    await lake.putText('_runs/r.json', '{}');
    await store('ops/run-10').putText('_manifests/quarter=2021Q1/x.json', 'other lake');
    assert.equal(await lake.getText('_manifests/quarter=2021Q1/firm-batch-0000.json'), '{"a":1}\n');
    assert.equal(await lake.getText('_manifests/quarter=2021Q1/none.json'), null);
    assert.equal(await lake.exists('_runs/r.json'), true);
    assert.equal(await lake.exists('_runs/none.json'), false);
    assert.deepEqual(await lake.list('_manifests/'), [
      '_manifests/quarter=2021Q1/firm-batch-0000.json',
      '_manifests/quarter=2021Q1/firm-batch-0001.json',
    ]);
    // Replacing an object: the reader gets the new text whole.
    await lake.putText('_runs/r.json', '{"v":2}');
    assert.equal(await lake.getText('_runs/r.json'), '{"v":2}');
    await lake.delete(['_runs/r.json', '_runs/never-existed.json']);
    assert.equal(await lake.exists('_runs/r.json'), false);
    assert.throws(() => lake.url('../run-10/x'), /escapes the lake/);
    assert.throws(() => new S3LakeStore('s3://'), /not an s3:\/\/bucket/);
    const bare = new S3LakeStore(`s3://${s3.bucket}`, { client: s3.client });
    assert.equal(bare.url('a/b.parquet'), 's3://lake/a/b.parquet');
  });

  test('openStore serves s3:// roots', () => {
    const opened = openStore('s3://some-bucket/lake/');
    assert.ok(opened instanceof S3LakeStore);
    assert.equal(opened.root, 's3://some-bucket/lake');
  });

  test('a large part goes up as a multipart upload and comes back byte for byte', async () => {
    const client = s3.newClient();
    const commands: string[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize' },
    );
    const lake = new S3LakeStore(`s3://${s3.bucket}/multipart`, { client, partSize: 5 * 1024 * 1024 });
    const local = join(tmp.path, 'big.bin');
    const data = randomBytes(12 * 1024 * 1024 + 17);
    await writeFile(local, data);
    await lake.putFile('sentences/quarter=2021Q1/batch-0000-part-0001.parquet', local);
    assert.equal(existsSync(local), false, 'the local file is consumed');
    const key = lake.objectKey('sentences/quarter=2021Q1/batch-0000-part-0001.parquet');
    assert.deepEqual(commands.sort(), [
      'CompleteMultipartUploadCommand',
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
    ]);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    assert.equal(head.ContentLength, data.length);
    const back = await objectBytes(key);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    assert.equal(sha(back), sha(data));
    client.destroy();
  });

  test('DuckDB settings: endpoint and keys of a compatible server, else the credential chain', () => {
    const lake = new S3LakeStore('s3://my-bucket/p');
    const local = lake.duckdbSettings({ ...s3.env });
    assert.equal(local[0], 'LOAD httpfs');
    assert.match(local[1], /ENDPOINT '127\.0\.0\.1:\d+', URL_STYLE 'path', USE_SSL false/);
    assert.match(local[1], /KEY_ID 'S3RVER'/);
    const aws = lake.duckdbSettings({ AWS_REGION: 'eu-west-1' });
    // The credential chain is the aws extension's: loaded too, credentials refreshed when they expire.
    assert.deepEqual(aws.slice(0, 2), ['LOAD httpfs', 'LOAD aws']);
    assert.match(aws[2], /REGION 'eu-west-1'/);
    assert.match(aws[2], /PROVIDER credential_chain, REFRESH auto/);
    assert.doesNotMatch(aws[2], /ENDPOINT/);
  });

  test('reading the lake through DuckDB: rows when httpfs loads, else an error without credentials', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, s3.env, { AWS_SECRET_ACCESS_KEY: 'not-to-be-printed' });
    try {
      const q = await LakeQuery.open(store('empty-lake'));
      q.close(); // httpfs is installed here: nothing more to check in this test
    } catch (err) {
      const msg = (err as Error).message;
      assert.match(msg, /cannot prepare DuckDB for s3:\/\/lake\/empty-lake/);
      assert.doesNotMatch(msg, /not-to-be-printed/);
    } finally {
      process.env = saved;
    }
  });
});

/**
 * The firm stage's batch writer against a store: a finished attempt (4 parts), a crashed attempt with
 * smaller parts (4 parts, no manifest), then a final attempt with 2 parts. The final lake holds exactly the
 * final attempt's parts and each sentence once.
 */
async function rerunScenario(lake: LakeStore, localCopy: () => Promise<LakeStore>) {
  const source = new EctsumSource(EXAMPLES_ECTSUM);
  const base = { store: lake, source, quarter: '2021Q1', batch: 0, batchSize: 12, filter: { minTokens: 5 } };
  const first = await runFirmStage({ ...base, runId: 'run-a', flushEvery: 3 });
  assert.equal(first.firmsOk + first.firmsRejected, 12);
  assert.equal(first.manifest!.parts.sentences.length, 4);

  const abort = new AbortController();
  let seen = 0;
  const crashed = await runFirmStage({
    ...base,
    runId: 'run-b',
    flushEvery: 2,
    signal: abort.signal,
    onFirm: () => {
      if (++seen === 7) abort.abort();
    },
  });
  assert.equal(crashed.interrupted, true);
  assert.equal(crashed.manifest, null);
  const part = (n: number) => partKey('sentences', '2021Q1', 0, n);
  assert.equal(await lake.exists(part(4)), true, 'the crashed attempt wrote parts 1-4');
  assert.equal((await readManifest(lake, '2021Q1', 'firm', 0))!.runId, 'run-a');

  const last = await runFirmStage({ ...base, runId: 'run-c', flushEvery: 6 });
  assert.deepEqual(last.manifest!.parts.sentences, [part(1), part(2)]);
  for (const table of ['sentences', 'firms'] as const) {
    const keys = (await lake.list(`${table}/quarter=2021Q1/`)).filter((k) => k.includes('batch-0000-part-'));
    assert.deepEqual(keys, [partKey(table, '2021Q1', 0, 1), partKey(table, '2021Q1', 0, 2)], table);
  }
  assert.equal((await readManifest(lake, '2021Q1', 'firm', 0))!.runId, 'run-c');

  const q = await LakeQuery.open(await localCopy());
  try {
    const [s] = await q.rows('SELECT count(*) AS n, count(DISTINCT sentence_id) AS ids FROM sentences');
    assert.equal(s.n, s.ids, 'no sentence twice');
    assert.equal(s.n, first.sentences);
    const [f] = await q.rows(
      `SELECT count(*) AS n, count(DISTINCT firm_id) AS ids, min(run_id) AS run FROM firms`,
    );
    assert.deepEqual(f, { n: last.firmsOk, ids: last.firmsOk, run: 'run-c' });
  } finally {
    q.close();
  }
}

test('batch re-runs into S3 leave one copy of each row and no stale parts', async () => {
  const lake = store('rerun');
  await rerunScenario(lake, () => download(lake, join(tmp.path, 'rerun-copy')));
});

test('batch re-runs into a local lake: same outcome (stale parts found without listing)', async () => {
  const lake = new LocalLakeStore(join(tmp.path, 'local-lake'));
  await rerunScenario(lake, async () => lake);
});

test('firms written to S3 carry the ids of the source files', async () => {
  const lake = store('ids');
  const source = new EctsumSource(EXAMPLES_ECTSUM);
  const res = await runFirmStage({
    store: lake,
    source,
    quarter: '2021Q2',
    batch: 1,
    batchSize: 4,
    runId: 'run-ids',
    flushEvery: 50,
    filter: { minTokens: 5 },
  });
  const files = readdirSync(EXAMPLES_ECTSUM).filter((f) => f.endsWith('_q2_2021.txt'));
  const expected = files
    .map((f) => f.replace(/_q2_2021\.txt$/, ''))
    .sort()
    .slice(4, 8);
  assert.deepEqual(res.manifest!.items, expected);
  const copy = await download(lake, join(tmp.path, 'ids-copy'));
  const q = await LakeQuery.open(copy);
  try {
    const rows = await q.rows(`SELECT firm_id, quarter FROM firms ORDER BY firm_id`);
    assert.deepEqual(
      rows,
      expected.map((firm_id) => ({ firm_id, quarter: '2021Q2' })),
    );
  } finally {
    q.close();
  }
});
