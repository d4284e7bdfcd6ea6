/**
 * File sources over an `s3://` prefix (moto's S3 on 127.0.0.1): the listing, the transcripts and the rejects
 * equal those of the same files in a local folder, read through the SDK (ListObjectsV2, streamed GetObject);
 * a `.jsonl` object or a prefix of them reads as the local file or folder does.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, test } from 'vitest';
import { createSource } from '../../src/sources/index.js';
import { openInputFiles } from '../../src/sources/input-files.js';
import type { FetchResult } from '../../src/sources/types.js';
import { type MotoServer, motoMissing, startMotoServer } from '../helpers/moto-server.js';
import { EXAMPLES_ECTSUM, skipIf } from '../helpers/paths.js';

const skip = skipIf(motoMissing() ?? undefined);
const BUCKET = 'callthemes-input-test';
let moto: MotoServer;
let s3: S3Client;
const saved = { ...process.env };

beforeAll(async () => {
  if (skip.skip) return;
  moto = await startMotoServer();
  Object.assign(process.env, {
    AWS_REGION: moto.region,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
  });
  s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const name of readdirSync(EXAMPLES_ECTSUM))
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `input/ectsum/${name}`,
        Body: readFileSync(join(EXAMPLES_ECTSUM, name)),
      }),
    );
  // A name that is no call, and an empty call: rejected as in a folder.
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'input/ectsum/notes.txt', Body: 'x' }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'input/ectsum/sub/ZZZ_q1_2021.txt', Body: '' }));
}, 120_000);

afterAll(async () => {
  process.env = saved;
  s3?.destroy();
  await moto?.stop();
});

async function collect(it: AsyncIterable<FetchResult>): Promise<FetchResult[]> {
  const out: FetchResult[] = [];
  for await (const r of it) out.push(r);
  return out;
}

test('an ectsum source on s3:// lists and reads what the folder gives', skip, async () => {
  const remote = await createSource({ kind: 'ectsum', input: `s3://${BUCKET}/input/ectsum/` });
  const local = await createSource({ kind: 'ectsum', input: EXAMPLES_ECTSUM });
  const r = await remote.listFirms('2021Q1');
  const l = await local.listFirms('2021Q1');
  assert.deepEqual(
    r.firms.filter((f) => f.firmId !== 'ZZZ'),
    l.firms,
  );
  assert.equal(r.firms.length, 31);
  const ids = l.firms.map((f) => f.firmId).slice(0, 5);
  const got = await collect(remote.fetchTranscripts('2021Q1', [...ids, 'ZZZ', 'NOPE']));
  const want = await collect(local.fetchTranscripts('2021Q1', ids));
  assert.deepEqual(got.slice(0, 5), want);
  assert.deepEqual(
    got.slice(5).map((x) => (x.ok ? 'ok' : x.reject.reason)),
    ['empty file', 'firm not found in source'],
  );
});

test('a jsonl object and a prefix of them read from s3:// like a file and a folder', skip, async () => {
  const call = (firm: string) =>
    JSON.stringify({
      firm_id: firm,
      quarter: '2021Q2',
      components: [
        { speaker_role: 'executive', section: 'prepared', text: `Revenue at ${firm} grew this quarter.` },
      ],
    });
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'jsonl/a.jsonl',
      Body: [call('BBB'), '{bad', call('AAA')].join('\n'),
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'jsonl/b.jsonl', Body: call('CCC') }));
  const one = await createSource({ kind: 'jsonl', input: `s3://${BUCKET}/jsonl/a.jsonl` });
  assert.deepEqual(
    (await one.listFirms('2021Q2')).firms.map((f) => [f.firmId, f.sourceRef]),
    [
      ['AAA', 'a.jsonl:3'],
      ['BBB', 'a.jsonl:1'],
    ],
  );
  const all = await createSource({ kind: 'jsonl', input: `s3://${BUCKET}/jsonl` });
  assert.deepEqual(
    (await all.listFirms('2021Q2')).firms.map((f) => f.firmId),
    ['AAA', 'BBB', 'CCC'],
  );
  const [c] = await collect(all.fetchTranscripts('2021Q2', ['CCC']));
  assert.ok(c.ok && c.transcript.components[0].text === 'Revenue at CCC grew this quarter.');
});

test('a missing object is ENOENT; a key cannot leave the prefix', skip, async () => {
  const files = openInputFiles(`s3://${BUCKET}/input/ectsum`);
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'input/ectsum/notes.txt' }));
  await assert.rejects(files.read('notes.txt'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  await assert.rejects(files.read('../jsonl/a.jsonl'), /escapes/);
});
