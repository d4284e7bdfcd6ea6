/**
 * A partition through the SageMaker async path, end to end on 127.0.0.1: firm and theme worker processes with
 * `CALLTHEMES_INFERENCE=sagemaker:<endpoint>` call the runtime API of the stand-in (common/test/helpers:
 * InvokeEndpointAsync → the input read from S3 (s3rver) → the serving image's router → the offline upstreams,
 * the lexicon classifier standing in for FinBERT → the output object), and write the same tables as the embedded
 * default does: every firm, every sentence labelled, topics, themes and the score tables. And a cold start
 * (issue 26, item 1): the endpoint without an instance for longer than the configured cold start, then up — every
 * partition kept by the worker that received it (received once, never released), nothing dead-lettered, each
 * firm's embeddings invoked once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LocalLakeStore } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import {
  type OfflineUpstream,
  startOfflineUpstream,
} from '@callthemes/common/testing/offline-upstream-server';
import { tempDir } from '@callthemes/common/testing/paths';
import { type LocalS3, startS3rver } from '@callthemes/common/testing/s3rver';
import {
  type SageMakerAsyncStandin,
  startSageMakerAsyncStandin,
} from '@callthemes/common/testing/sagemaker-async-standin';
import { type ServingRouter, startServingRouter } from '@callthemes/common/testing/serving-router';
import { afterAll, beforeAll, test } from 'vitest';
import { besideLocalRun } from '../run/helpers.js';
import { drain, readStatus } from './fleet-helpers.js';

const dir = tempDir('callthemes-sagemaker-fleet-');
const parts: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const p of parts.reverse()) await (p.close ?? p.stop)?.call(p);
  dir.cleanup();
});

let s3: LocalS3;
let standin: SageMakerAsyncStandin;
let env: Record<string, string>;
beforeAll(async () => {
  s3 = await startS3rver('inference');
  parts.push(s3);
  const upstream: OfflineUpstream = await startOfflineUpstream();
  parts.push(upstream);
  const router: ServingRouter = await startServingRouter({
    chat: upstream.url,
    embed: upstream.url,
    classify: upstream.url,
  });
  parts.push(router);
  standin = await startSageMakerAsyncStandin({
    s3: s3.newClient(),
    s3OutputPath: 's3://inference/inference/responses/',
    s3FailurePath: 's3://inference/inference/failures/',
    containerUrl: router.url,
    endpoints: ['callthemes-test'],
  });
  parts.push(standin);
  env = {
    ...(s3.env as Record<string, string>),
    CALLTHEMES_INFERENCE: 'sagemaker:callthemes-test',
    CALLTHEMES_INFERENCE_BUCKET: 'inference',
    // The runtime (InvokeEndpointAsync) and the control plane (DescribeEndpoint) of the stand-in.
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: standin.url,
    AWS_ENDPOINT_URL_SAGEMAKER: standin.url,
    CALLTHEMES_INFERENCE_SIGNALS_EVERY_SECONDS: '1',
  };
}, 120_000);

test('firm and theme workers on sagemaker:<endpoint> write the tables the embedded default writes', async () => {
  const plan = ['--firms', '6', '--partition-size', '6'];
  const lake = join(dir.path, 'lake');
  const e = await runCli(ectsumArgs('enqueue', '2021Q1', lake, plan));
  assert.equal(e.code, 0, e.stderr);
  await drain(lake, env);
  const s = await readStatus(lake);
  assert.deepEqual([s.done, s.quarters[0].firmsOk, s.quarters[0].firmsRejected], [true, 6, 0]);
  assert.ok(standin.accepted.length > 0, 'the workers went through the async endpoint');
  assert.equal(standin.notifications.length, standin.accepted.length, 'every invocation answered');

  const { got, want } = await besideLocalRun(lake, join(dir.path, 'reference'), '2021Q1', plan);
  assert.deepEqual(got.firmIds, want.firmIds);
  assert.deepEqual(got.sentenceIds, want.sentenceIds);
  assert.equal(got.counts.sentence_sentiment, got.counts.sentences);
  assert.ok(got.counts.topics >= 6, `topics ${got.counts.topics}`);
  assert.ok(got.counts.themes > 0);
  assert.equal(got.counts.theme_sentiment, got.counts.themes);
  assert.deepEqual(got.duplicates, []);
  // The vectors and labels came through the endpoint, not the embedded models.
  const q = await LakeQuery.open(new LocalLakeStore(lake));
  try {
    const [t] = await q.rows('SELECT string_agg(DISTINCT embedding_model) AS m FROM topics');
    const [l] = await q.rows('SELECT string_agg(DISTINCT model) AS m FROM sentence_sentiment');
    console.log(`embedding model ${t.m}, classifier ${l.m}`);
    assert.notEqual(t.m, 'sif-wink-sg-100d');
    assert.notEqual(l.m, 'lexicon');
  } finally {
    q.close();
  }
});

test('a cold start longer than the configured one: partitions kept, nothing dead-lettered, embeddings invoked once', async () => {
  const plan = ['--firms', '6', '--partition-size', '3'];
  const lake = join(dir.path, 'cold');
  const e = await runCli(ectsumArgs('enqueue', '2021Q2', lake, plan));
  assert.equal(e.code, 0, e.stderr);
  const before = standin.accepted.length;
  standin.setCapacity(false);
  // Up 10 s after the first invocation arrived: longer than the deadline the workers are given (a 1 s cold start +
  // 5 s per invocation), which the time without an instance does not count towards.
  const scaleOut = (async () => {
    while (standin.accepted.length === before) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 10_000));
    standin.setCapacity(true);
  })();
  const events = await drain(lake, {
    ...env,
    CALLTHEMES_INFERENCE_COLD_START_SECONDS: '1',
    CALLTHEMES_INFERENCE_INVOCATION_TIMEOUT_SECONDS: '5',
    // Redelivery here could only come from a release: a visibility a loaded machine's heartbeat cannot miss.
    CALLTHEMES_VISIBILITY_SECONDS: '20',
    CALLTHEMES_HEARTBEAT_SECONDS: '2',
  });
  await scaleOut;
  const s = await readStatus(lake);
  assert.deepEqual([s.done, s.quarters[0].firmsOk, s.quarters[0].firmsRejected], [true, 6, 0]);
  assert.deepEqual([s.queues.partitions.deadLetters, s.queues.themes.deadLetters], [0, 0]);
  const partitions = events.filter((x) => x.event === 'partition');
  assert.deepEqual(
    partitions.map((x) => x.receiveCount),
    [1, 1],
    'each partition handled by its first receive: kept through the cold start, never released',
  );
  assert.ok(!events.some((x) => /released/.test(String(x.msg ?? ''))), 'nothing released');
  // Each firm's embeddings: one invocation (read back from the request objects the workers wrote).
  const kinds: string[] = [];
  for (const a of standin.accepted.slice(before)) {
    // s3rver serves a plain GET (path style) without a signature.
    const r = await fetch(`${s3.endpoint}/${a.inputLocation.replace('s3://', '')}`);
    const body = (await r.json()) as { requests: { kind: string }[] };
    kinds.push(...body.requests.map((x) => x.kind));
  }
  assert.equal(kinds.filter((k) => k === 'embed').length, 6, `embed invocations: ${kinds.join(' ')}`);
  assert.equal(new Set(standin.accepted.slice(before).map((a) => a.inferenceId)).size, kinds.length);
});
