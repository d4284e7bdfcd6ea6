import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { HttpClassifier } from '../../src/sentiment/http-classifier.js';
import { LocalServiceCalls, parseRetryAfter } from '../../src/sentiment/service-calls.js';
import type { SentimentLabel } from '../../src/sentiment/types.js';
import {
  startClassifyTestServer,
  TEST_SERVER_LABELS,
  testServerProbs,
} from '../helpers/classify-test-server.js';
import { EXAMPLES_ECTSUM } from '../helpers/paths.js';

const texts = readFileSync(join(EXAMPLES_ECTSUM, 'AFL_q2_2021.txt'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 40);

function expected(t: string): { label: SentimentLabel; score: number } {
  const p = testServerProbs(t);
  const k = p.indexOf(Math.max(...p));
  return { label: TEST_SERVER_LABELS[k].toLowerCase() as SentimentLabel, score: p[k] };
}

const noWait = () => ({
  sleeps: [] as number[],
  sleep(ms: number) {
    this.sleeps.push(ms);
    return Promise.resolve();
  },
});

for (const api of ['vllm', 'tei'] as const) {
  describe(`HTTP classifier, ${api} format, against a test server`, () => {
    let server: Awaited<ReturnType<typeof startClassifyTestServer>>;
    beforeAll(async () => {
      server = await startClassifyTestServer({ maxBatch: 8, shuffle: api === 'vllm' });
    });
    afterAll(() => server.close());

    it('labels every text as the served model does, in order, in batches within the server limit', async () => {
      const clf = new HttpClassifier({
        url: server.url,
        api,
        model: 'yiyanghkust/finbert-tone',
        batchSize: 8,
      });
      const out = await clf.classify(texts);
      assert.equal(out.length, texts.length);
      texts.forEach((t, i) => {
        const e = expected(t);
        assert.equal(out[i].label, e.label, t);
        assert.ok(Math.abs(out[i].score - e.score) < 1e-6);
      });
      assert.deepEqual(server.answered, [8, 8, 8, 8, 8]);
      const labels = new Set(out.map((r) => r.label));
      assert.ok(labels.size >= 2, 'the sample yields more than one label');
      assert.equal(clf.model, 'yiyanghkust/finbert-tone');
    });

    it('answers repeated texts from the cache without new requests', async () => {
      const calls = new LocalServiceCalls();
      const clf = new HttpClassifier({ url: server.url, api, model: 'm', batchSize: 8, calls });
      await clf.classify(texts.slice(0, 5));
      const before = server.answered.length;
      const again = await clf.classify(texts.slice(0, 5));
      assert.equal(server.answered.length, before);
      assert.equal(calls.stats.cacheHits, 5);
      assert.equal(again[0].label, expected(texts[0]).label);
    });

    it('fails with the server reason when a batch is too large, without retrying', async () => {
      const calls = new LocalServiceCalls({ sleep: noWait().sleep });
      const clf = new HttpClassifier({ url: server.url, api, model: 'm', batchSize: 20, calls });
      await assert.rejects(clf.classify(texts.slice(0, 20)), /HTTP 413 .*batch/);
      assert.equal(calls.stats.retries, 0);
    });
  });
}

describe('HTTP classifier retries and labels', () => {
  it('retries 429 honouring Retry-After and 503 with backoff, then succeeds', async () => {
    for (const status of [429, 503]) {
      const server = await startClassifyTestServer({ failFirst: { count: 2, status } });
      try {
        const waits = noWait();
        const calls = new LocalServiceCalls({ sleep: (ms) => waits.sleep(ms), baseDelayMs: 100 });
        const clf = new HttpClassifier({ url: server.url, api: 'tei', model: 'm', calls });
        const out = await clf.classify(texts.slice(0, 3));
        assert.equal(out[0].label, expected(texts[0]).label);
        assert.equal(server.received.length, 3);
        assert.equal(calls.stats.retries, 2);
        if (status === 429) assert.deepEqual(waits.sleeps, [0, 0]);
        else assert.ok(waits.sleeps[0] >= 75 && waits.sleeps[1] >= 150, `${waits.sleeps}`);
      } finally {
        await server.close();
      }
    }
  });

  it('gives up after the retry budget with the last reason', async () => {
    const server = await startClassifyTestServer({ failFirst: { count: 10, status: 503 } });
    try {
      const calls = new LocalServiceCalls({ sleep: () => Promise.resolve(), maxRetries: 2 });
      const clf = new HttpClassifier({ url: server.url, api: 'vllm', model: 'm', calls });
      await assert.rejects(clf.classify(['Revenue rose.']), /HTTP 503/);
      assert.equal(server.received.length, 3);
    } finally {
      await server.close();
    }
  });

  it('maps unnamed labels through a label map and rejects unknown ones by name', async () => {
    const server = await startClassifyTestServer({ unnamedLabels: true });
    try {
      const plain = new HttpClassifier({ url: server.url, api: 'vllm', model: 'm' });
      await assert.rejects(plain.classify(['Revenue rose 10%.']), /label "LABEL_\d"/);
      const mapped = new HttpClassifier({
        url: `${server.url}/classify`,
        api: 'vllm',
        model: 'm',
        labelMap: { LABEL_0: 'neutral', LABEL_1: 'positive', LABEL_2: 'negative' },
      });
      const [r] = await mapped.classify(['Revenue rose 10%.']);
      assert.equal(r.label, 'positive');
    } finally {
      await server.close();
    }
  });

  it('sends the API key as a bearer token and keeps it out of errors', async () => {
    const server = await startClassifyTestServer({ failFirst: { count: 1, status: 400 } });
    try {
      const clf = new HttpClassifier({ url: server.url, api: 'tei', model: 'm', apiKey: 'sk-secret-123' });
      const err = await clf.classify(['Revenue rose.']).catch((e: Error) => e);
      assert.ok(err instanceof Error && /HTTP 400/.test(err.message));
      assert.ok(!String(err.message).includes('sk-secret-123'));
      assert.equal(server.received[0].authorization, 'Bearer sk-secret-123');
    } finally {
      await server.close();
    }
  });

  it('reports an unreachable service as retryable, then fails clearly', async () => {
    const calls = new LocalServiceCalls({ sleep: () => Promise.resolve(), maxRetries: 1 });
    const clf = new HttpClassifier({ url: 'http://127.0.0.1:9', api: 'tei', model: 'm', calls });
    await assert.rejects(
      clf.classify(['Revenue rose.']),
      /sentiment service http:\/\/127\.0\.0\.1:9\/predict/,
    );
    assert.equal(calls.stats.retries, 1);
  });

  it('reads Retry-After as seconds or a date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});
