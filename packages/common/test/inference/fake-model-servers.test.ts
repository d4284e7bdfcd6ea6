/**
 * The rehearsal's stand-ins shaped like production: the fake embedder answers 4096-d unit vectors, the same in every
 * process (fixed projection), and honours `dimensions` as vLLM does for a Matryoshka model (prefix, renormalised);
 * the SageMaker stand-in's DescribeEndpoint (SageMaker's JSON protocol, as the SDK sends it) reports the instance
 * count its one capacity switch sets.
 */
import assert from 'node:assert/strict';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, test } from 'vitest';
import { type FakeModelServers, startFakeModelServers } from '../../src/testing/fake-model-servers.js';
import {
  type SageMakerAsyncStandin,
  startSageMakerAsyncStandin,
} from '../../src/testing/sagemaker-async-standin.js';

let models: FakeModelServers;
let other: FakeModelServers;
const none = { fixedMs: 0, perItemMs: 0 };
beforeAll(async () => {
  const latency = { embed: none, chat: none, classify: none };
  models = await startFakeModelServers({ latency });
  other = await startFakeModelServers({ latency });
});
afterAll(async () => {
  await models?.close();
  await other?.close();
});

async function embed(base: string, input: string[], dimensions?: number): Promise<number[][]> {
  const res = await fetch(`${base}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', input, ...(dimensions ? { dimensions } : {}) }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { data: { embedding: number[] }[] }).data.map((d) => d.embedding);
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

test('4096-d unit vectors, the same from another server; dimensions gives the renormalised prefix', async () => {
  const texts = ['Revenue grew eight percent on pricing.', 'Margins fell on freight costs.'];
  const [a, b] = await embed(models.urls.embed, texts);
  assert.equal(a.length, 4096);
  assert.ok(Math.abs(norm(a) - 1) < 1e-5);
  assert.deepEqual(await embed(other.urls.embed, texts), [a, b]);
  const cos = a.reduce((s, x, i) => s + x * b[i], 0);
  assert.ok(cos < 0.99, `different sentences differ (cos ${cos})`);
  const [short] = await embed(models.urls.embed, texts, 1024);
  assert.equal(short.length, 1024);
  assert.ok(Math.abs(norm(short) - 1) < 1e-5);
  const scale = short[0] / a[0];
  for (let i = 0; i < 1024; i += 97) assert.ok(Math.abs(short[i] - a[i] * scale) < 1e-5);
  const bad = await fetch(`${models.urls.embed}/v1/embeddings`, {
    method: 'POST',
    body: JSON.stringify({ input: ['x'], dimensions: 5000 }),
  });
  assert.equal(bad.status, 400);
});

test('DescribeEndpoint reports the capacity switch: 1, then 0 (scaled to zero), then 3', async () => {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const standin: SageMakerAsyncStandin = await startSageMakerAsyncStandin({
    s3,
    s3OutputPath: 's3://b/out/',
    s3FailurePath: 's3://b/fail/',
    containerUrl: 'http://127.0.0.1:9',
    endpoints: ['ep'],
  });
  const describe = (name: string) =>
    fetch(standin.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.DescribeEndpoint' },
      body: JSON.stringify({ EndpointName: name }),
    });
  try {
    const count = async () => {
      const r = (await (await describe('ep')).json()) as {
        EndpointStatus: string;
        ProductionVariants: { CurrentInstanceCount: number }[];
      };
      assert.equal(r.EndpointStatus, 'InService');
      return r.ProductionVariants[0].CurrentInstanceCount;
    };
    assert.equal(await count(), 1);
    standin.setCapacity(0);
    assert.equal(await count(), 0);
    standin.setCapacity(3);
    assert.equal(await count(), 3);
    assert.equal(standin.instances, 3);
    const missing = await describe('nope');
    assert.equal(missing.status, 400);
    assert.equal(missing.headers.get('x-amzn-errortype'), 'ValidationException');
  } finally {
    s3.destroy();
    await standin.close();
  }
});
