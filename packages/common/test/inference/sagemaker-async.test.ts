/**
 * The SageMaker async adapter against the stand-in runtime on s3rver, the serving router and offline upstreams:
 * success (one invocation for a firm's embed + classify), the token ledger, a duplicate invocation, a failure
 * object, a malformed answer, the deadline, a 429 from the runtime API; scaling from zero: the wait keeps going
 * while DescribeEndpoint says 0 instances (the worker keeps its partition), a release only past the bound, a retry
 * that joins the still-queued invocation, and the in-flight cap from the endpoint's signals.
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOfflineInference,
  EndpointScalingError,
  endpointSignals,
  InferenceFailedError,
  InferenceTimeoutError,
  inFlightCap,
} from '../../src/inference/index.js';
import { namersFor } from '../../src/naming/inference-namers.js';
import type { TopicToName } from '../../src/naming/types.js';
import type { SageMakerAsyncStandin } from '../../src/testing/sagemaker-async-standin.js';
import {
  type AsyncFixture,
  MemoryTextStore,
  startAsyncFixture,
  startFixedContainer,
} from './async-fixture.js';

const SENTENCES = [
  'Revenue grew strongly and margins improved to a record level this quarter.',
  'The loss widened as demand collapsed in our largest market.',
  'We will hold the call again next quarter.',
];
const FIRM = { firmId: 'F1', firmName: 'Acme Corp', ticker: 'ACME', quarter: '2021Q2' };
/** Two topics; `tag` makes the prompt (and so the invocation) differ between tests sharing the bucket. */
const topicsFor = (tag: string): TopicToName[] => [
  {
    topicId: 't0',
    size: 5,
    keywords: ['revenue', 'margin', 'growth'],
    representativeSentences: [`${SENTENCES[0]} ${tag}`],
  },
  { topicId: 't1', size: 3, keywords: ['demand', 'loss', 'market'], representativeSentences: [SENTENCES[1]] },
];
const TOPICS = topicsFor('a');

let fx: AsyncFixture;
beforeAll(async () => {
  fx = await startAsyncFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('SageMaker async adapter', () => {
  it("sends a firm's embed and classify requests as one invocation and reads the answer from S3", async () => {
    // The two leave together once both are queued (at most 2 per invocation), not when a 150 ms window closes: under
    // load 30 the window closed between them and they left as two invocations.
    const inf = fx.adapter({ coalesceMs: 30_000, maxRequestsPerInvocation: 2 });
    const svc = { ...namersFor(inf), embedder: inf.embedder, classifier: inf.classifier };
    const before = fx.standin.accepted.length;
    const rows = await svc.embedder.embed(SENTENCES);
    const labels = await svc.classifier.classify(SENTENCES);
    expect(fx.standin.accepted.length - before).toBe(1);
    expect(inf.invoker.stats).toMatchObject({ invocations: 1, reused: 0, subRequests: 2, failures: 0 });
    // Same vectors and labels as the offline adapter the upstream wraps (the router only moves them).
    const offline = createOfflineInference();
    const want = await offline.embed(SENTENCES);
    expect(rows).toHaveLength(3);
    expect(svc.embedder.dim).toBe(offline.dim);
    for (let i = 0; i < 3; i++)
      for (let d = 0; d < offline.dim; d++) expect(rows[i][d]).toBeCloseTo(want[i][d], 5);
    expect(labels.map((l) => l.label)).toEqual((await offline.classify(SENTENCES)).map((l) => l.label));
    expect(labels.map((l) => l.label)).toEqual(['positive', 'negative', 'neutral']);
    // The request, its answer and the notification under the deterministic names.
    const id = fx.standin.accepted.at(-1)!.inferenceId;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    // The request, and the marker that it was accepted (a retry waits for it rather than invoking again).
    expect(await fx.keys(`inference/requests/${id}`)).toEqual([
      `inference/requests/${id}.invoked`,
      `inference/requests/${id}.json`,
    ]);
    expect(await fx.keys(`inference/responses/${id}`)).toEqual([`inference/responses/${id}.out`]);
    expect(fx.standin.notifications.find((n) => n.inferenceId === id)?.status).toBe('success');
    await inf.close();
  });

  it('the classifier takes pending labels however its caller groups the sentences, and asks only for the rest', async () => {
    const inf = fx.adapter();
    const svc = { ...namersFor(inf), embedder: inf.embedder, classifier: inf.classifier };
    const a = ['Firm A had a record quarter with strong growth.', 'Firm A costs were flat.'];
    const b = ['Firm B reported a painful loss and weak demand.'];
    await Promise.all([svc.embedder.embed(a), svc.embedder.embed(b)]);
    const sub = inf.invoker.stats.subRequests;
    expect(sub).toBe(4); // two embeds, two classifies
    const extra = 'A sentence nobody embedded, about a quarter.';
    const labels = await svc.classifier.classify([...a, ...b, extra]);
    expect(inf.invoker.stats.subRequests - sub).toBe(1);
    const offline = await createOfflineInference().classify([...a, ...b, extra]);
    expect(labels).toEqual(offline.map((r) => ({ label: r.label, score: expect.closeTo(r.score, 6) })));
    await inf.close();
  });

  it('names topics through the chat model, books its tokens once, and a duplicate pays nothing', async () => {
    const billedBefore = { ...fx.upstream.billed };
    const first = fx.adapter();
    const names = await namersFor(first).topicNamer.nameFirmTopics(FIRM, TOPICS);
    expect(names.map((n) => [n.id, n.name, n.nameSource])).toEqual([
      ['t0', 'Revenue and margin', 'llm'],
      ['t1', 'Demand and loss', 'llm'],
    ]);
    const billed = {
      prompt: fx.upstream.billed.promptTokens - billedBefore.promptTokens,
      completion: fx.upstream.billed.completionTokens - billedBefore.completionTokens,
    };
    const t1 = first.ledger.byStage()['topic-naming'];
    expect(billed.prompt).toBeGreaterThan(0);
    expect([t1.promptTokens, t1.completionTokens, t1.requests]).toEqual([
      billed.prompt,
      billed.completion,
      1,
    ]);
    const accepted = fx.standin.accepted.length;
    // A redelivered partition in a fresh worker (no response cache): the output is found before invoking.
    const second = fx.adapter();
    const again = await namersFor(second).topicNamer.nameFirmTopics(FIRM, TOPICS);
    expect(again).toEqual(names);
    expect(fx.standin.accepted.length).toBe(accepted);
    expect(second.invoker.stats).toMatchObject({ invocations: 0, reused: 1 });
    const t2 = second.ledger.byStage()['topic-naming'];
    expect([t2.promptTokens, t2.completionTokens]).toEqual([0, 0]);
    expect(fx.upstream.billed.promptTokens - billedBefore.promptTokens).toBe(billed.prompt);
    const id = fx.standin.accepted.at(-1)!.inferenceId;
    expect(await fx.keys(`inference/responses/${id}`)).toHaveLength(1);
    // Concurrent identical requests in one process share one invocation (it leaves once its 4 sub-requests are
    // queued, not when a 150 ms window closes: under load 45 it split in two).
    const third = fx.adapter({ coalesceMs: 30_000, maxRequestsPerInvocation: 4 });
    const texts = ['Shared request text one.', 'Shared request text two.'];
    await Promise.all([third.embed(texts), third.embed(texts), third.embed(texts)]);
    expect(third.invoker.stats.invocations).toBe(1);
    await Promise.all([first.close(), second.close(), third.close()]);
  });

  it('the response cache answers a re-run without the endpoint; the budget cap refuses before invoking', async () => {
    const store = new MemoryTextStore();
    const first = fx.adapter({ store });
    const topics = topicsFor('cache');
    const names = await namersFor(first).topicNamer.nameFirmTopics(FIRM, topics);
    expect(names.map((n) => n.nameSource)).toEqual(['llm', 'llm']);
    expect([...store.texts.keys()].filter((k) => k.startsWith('_cache/llm/'))).toHaveLength(1);
    const accepted = fx.standin.accepted.length;
    const second = fx.adapter({ store });
    expect(await namersFor(second).topicNamer.nameFirmTopics(FIRM, topics)).toEqual(names);
    expect(second.invoker.stats).toMatchObject({ invocations: 0, reused: 0, subRequests: 0 });
    expect(second.ledger.byStage()['topic-naming']).toMatchObject({
      cacheHits: 1,
      requests: 0,
      promptTokens: 0,
    });
    // A spent budget: names fall back to keywords and nothing is invoked.
    const { TokenLedger } = await import('../../src/llm/ledger.js');
    const ledger = new TokenLedger(undefined, { maxTokens: 10, stages: ['topic-naming'] });
    const broke = fx.adapter({ ledger });
    const fb = await namersFor(broke).topicNamer.nameFirmTopics(FIRM, topicsFor('budget'));
    expect(fb.map((n) => n.nameSource)).toEqual(['fallback', 'fallback']);
    expect(broke.invoker.stats.subRequests).toBe(0);
    expect(fx.standin.accepted.length).toBe(accepted);
    await Promise.all([first.close(), second.close(), broke.close()]);
  });

  it('a failure object fails the firm clearly: names fall back (flagged, not cached), embeddings reject', async () => {
    const container = await startFixedContainer(500, '{"error":"CUDA out of memory"}');
    const standin = await fx.standinFor(container.url);
    const store = new MemoryTextStore();
    const inf = fx.adapter({ standin, store });
    const svc = { ...namersFor(inf), embedder: inf.embedder, classifier: inf.classifier };
    const names = await svc.topicNamer.nameFirmTopics(FIRM, topicsFor('failure'));
    expect(names.map((n) => n.nameSource)).toEqual(['fallback', 'fallback']);
    expect(names[0].name).toBe('revenue, margin, growth');
    expect([...store.texts.keys()].filter((k) => k.startsWith('_cache/llm'))).toEqual([]);
    const err = await svc.embedder.embed(['One sentence that fails.']).catch((e) => e);
    expect(err).toBeInstanceOf(InferenceFailedError);
    expect(err.message).toMatch(
      /callthemes-test: invocation [0-9a-f]{12} failed: Received client error \(500\).*CUDA out of memory/,
    );
    // Each failed invocation was tried once: a failure object is not retried into a second bill.
    expect(inf.invoker.stats.failures).toBe(inf.invoker.stats.invocations);
    expect(standin.notifications.every((n) => n.status === 'error')).toBe(true);
    await inf.close();
    await container.close();
  });

  it('an answer that does not follow the schema is a clear error', async () => {
    const container = await startFixedContainer(200, '{"version":1,"results":[]}');
    const standin = await fx.standinFor(container.url);
    const inf = fx.adapter({ standin });
    const err = await inf.classify(['A sentence with a malformed answer.']).catch((e) => e);
    expect(err).toBeInstanceOf(InferenceFailedError);
    expect(err.message).toMatch(/does not follow the invocation schema/);
    await inf.close();
    await container.close();
    // A body that is not JSON at all is read three times (a store still writing it), then named with its size.
    const text = await startFixedContainer(200, 'not json at all');
    const textStandin = await fx.standinFor(text.url);
    const inf2 = fx.adapter({ standin: textStandin });
    const err2 = await inf2.classify(['Another malformed answer.']).catch((e) => e);
    expect(err2).toBeInstanceOf(InferenceFailedError);
    expect(err2.message).toMatch(/is not JSON \(15 chars, starting "not json at all"\)$/);
    await inf2.close();
    await text.close();
  });

  it('gives up at the deadline with a typed timeout', async () => {
    const standin = await fx.standinFor(fx.router.url);
    standin.setLatency(8_000);
    const inf = fx.adapter({
      standin,
      coldStartMs: 0,
      invocationTimeoutSeconds: 1,
      deadlineMs: 600,
    });
    const err = await inf.embed(['Too slow.']).catch((e) => e);
    expect(err).toBeInstanceOf(InferenceTimeoutError);
    expect(err.message).toMatch(/no answer to invocation [0-9a-f]{12} within 600 ms/);
    // It gave up before the answer came (the stand-in holds it 8 s), whatever the machine's load: not a clock bound.
    expect(standin.notifications).toEqual([]);
    await inf.close();
  });

  it('retries a 429 ThrottlingException from the runtime API with backoff', async () => {
    // A stand-in of its own (on the shared one a straggler of an earlier case could take the throttled slot), and
    // no coalescing: the embed and the classify it starts are one invocation each whatever the machine's load (a
    // 150 ms window let them meet or not, so the count of calls depended on the clock).
    const standin = await fx.standinFor(fx.router.url);
    const inf = fx.adapter({ standin, coalesceMs: 0 });
    standin.throttleNext(1);
    const text = 'Throttled once, then accepted.';
    const rows = await inf.embed([text]);
    expect(rows).toHaveLength(1);
    // The labels the embed started (answered from that pending invocation, which may be the throttled one).
    expect(await inf.classify([text])).toHaveLength(1);
    // Two invocations, one of them throttled once and retried: three calls, two accepted.
    expect(standin.calls).toBe(3);
    expect(standin.accepted).toHaveLength(2);
    expect(inf.invoker.stats).toMatchObject({ invocations: 2, retries: 1 });
    await inf.close();
  });

  /** The production signal reader, pointed at the stand-in's control plane (DescribeEndpoint…). */
  const signalsOf = (standin: SageMakerAsyncStandin, service?: string) => {
    const sagemaker = new SageMakerClient({
      endpoint: standin.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const r = endpointSignals({ endpointName: 'callthemes-test', sagemaker, service });
    return { read: () => r.read(), close: () => sagemaker.destroy() };
  };

  it('keeps waiting while the endpoint has no instance (no release, no deadline spent), answered once it scales', async () => {
    const standin = await fx.standinFor(fx.router.url);
    standin.setCapacity(false);
    const signals = signalsOf(standin);
    const waits: { waitedMs: number; withoutCapacityMs: number }[] = [];
    // A deadline of 5 s that a 6 s cold start would pass were its time counted (once up, the deadline holds for the
    // answer itself: 600 ms was too short for it under load 30).
    const inf = fx.adapter({
      standin,
      // The embed and the classify it starts leave together once both are queued (a 150 ms window split them).
      coalesceMs: 30_000,
      maxRequestsPerInvocation: 2,
      coldStartMs: 0,
      deadlineMs: 5_000,
      signals: signals.read,
      signalsEveryMs: 50,
      onWait: (e) => {
        waits.push(e);
        // The endpoint comes up after a cold start longer than the deadline.
        if (e.waitedMs > 6_000) standin.setCapacity(true);
      },
    });
    const rows = await inf.embed(['Served after the cold start.']);
    expect(rows).toHaveLength(1);
    expect(standin.accepted).toHaveLength(1);
    // Waited past the 5 s deadline, all of it beyond the deadline without an instance.
    const last = waits.at(-1)!;
    expect(last.waitedMs).toBeGreaterThan(6_000);
    expect(last.waitedMs - last.withoutCapacityMs).toBeLessThan(5_000);
    expect(standin.describes).toBeGreaterThan(2);
    expect(inf.invoker.stats).toMatchObject({ invocations: 1, joined: 0 });
    await inf.close();
    signals.close();
  });

  it('releases (EndpointScalingError, not fallback names) only past the capacity wait; the retry joins the queued invocation', async () => {
    const standin = await fx.standinFor(fx.router.url);
    standin.setCapacity(false);
    const signals = signalsOf(standin);
    const inf = fx.adapter({ standin, signals: signals.read, signalsEveryMs: 20, capacityWaitMs: 300 });
    const svc = namersFor(inf);
    const err = await svc.topicNamer.nameFirmTopics(FIRM, topicsFor('scaling')).catch((e) => e);
    expect(err).toBeInstanceOf(EndpointScalingError);
    expect(err.releasePartition).toBe(true);
    expect(err.message).toMatch(/no instance for \d+ s \(past inferenceCapacityWaitSeconds\)/);
    expect(standin.accepted).toHaveLength(1);
    // The redelivered partition asks the same while the endpoint is still starting: it waits for the queued
    // invocation (its marker) instead of invoking again, and gets its answer when the endpoint is up.
    let up = false;
    const retry = fx.adapter({
      standin,
      signals: signals.read,
      signalsEveryMs: 20,
      onWait: () => {
        if (up) return;
        up = true;
        setTimeout(() => standin.setCapacity(true), 200);
      },
    });
    const names = await namersFor(retry).topicNamer.nameFirmTopics(FIRM, topicsFor('scaling'));
    expect(names.map((n) => n.nameSource)).toEqual(['llm', 'llm']);
    expect(standin.accepted).toHaveLength(1);
    expect(retry.invoker.stats).toMatchObject({ invocations: 0, joined: 1 });
    // A third attempt finds the answer itself.
    const third = fx.adapter({ standin });
    await namersFor(third).topicNamer.nameFirmTopics(FIRM, topicsFor('scaling'));
    expect(third.invoker.stats).toMatchObject({ invocations: 0, reused: 1 });
    expect(standin.accepted).toHaveLength(1);
    await Promise.all([inf.close(), retry.close(), third.close()]);
    signals.close();
  });

  it('caps invocations in flight at ⌈per instance × max(1, instances) ÷ tasks⌉ from the signals', async () => {
    expect([inFlightCap(4, 0, 2), inFlightCap(4, 3, 2), inFlightCap(1, 0, 20), inFlightCap(8, 2, 3)]).toEqual(
      [2, 6, 1, 6],
    );
    const standin = await fx.standinFor(fx.router.url);
    standin.setCapacity(false);
    const signals = signalsOf(standin);
    let tasks = 2;
    const inf = fx.adapter({
      standin,
      coalesceMs: 0,
      signals: async () => ({ ...(await signals.read()), tasks }),
      signalsEveryMs: 20,
    });
    const texts = Array.from({ length: 8 }, (_, i) => `Sentence number ${i} of the capped batch.`);
    const all = Promise.all(texts.map((t) => inf.embed([t])));
    for (let t = 0; standin.accepted.length < 2 && t < 200; t++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // time for more, were the cap not holding them
    // 0 instances, 4 per instance (the endpoint config), 2 tasks: each task queues 2, so the backlog shows.
    expect(standin.accepted).toHaveLength(2);
    expect(inf.invoker.stats.inFlightCap).toBe(2);
    // Scaled out to 3 instances and one task left: ⌈4 × 3 ÷ 1⌉ = 12 ≥ the 8 asked.
    tasks = 1;
    standin.setCapacity(3);
    expect((await all).map((r) => r.length)).toEqual(Array(8).fill(1));
    expect(inf.invoker.stats.inFlightCap).toBe(12);
    // 8 embeddings and the labels of the same sentences, which the adapter starts with them: one invocation each.
    expect(standin.accepted).toHaveLength(16);
    await inf.close();
    signals.close();
  });
});
