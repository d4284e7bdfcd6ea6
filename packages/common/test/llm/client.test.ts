import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { z } from 'zod';
import { LocalLakeStore } from '../../src/lake/store.js';
import { MemoryResponseCache, StoreResponseCache } from '../../src/llm/cache.js';
import { LlmClient, type LlmClientOptions } from '../../src/llm/client.js';
import {
  BudgetExceededError,
  LlmHttpError,
  LlmTimeoutError,
  StructuredOutputError,
} from '../../src/llm/errors.js';
import { recoverCutOffJson, validateReply } from '../../src/llm/json-output.js';
import { TokenLedger } from '../../src/llm/ledger.js';
import { type Handler, OpenAiTestServer } from '../helpers/openai-test-server.js';
import { tempDir } from '../helpers/paths.js';

const SECRET = 'sk-test-secret-0123456789';
const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 50 };

let server: OpenAiTestServer;
const use = (h: Handler) => {
  server.requests.length = 0;
  Object.assign(server.billed, { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, answers: 0 });
  server.handler = h;
};
const client = (o: Partial<LlmClientOptions> = {}) =>
  new LlmClient({ baseUrl: server.url, model: 'test-model', apiKey: SECRET, retry: FAST_RETRY, ...o });
const ctx = { stage: 'unit', scope: 'item-1' };
const msgs = (text: string) => [{ role: 'user' as const, content: text }];

beforeAll(async () => {
  server = await OpenAiTestServer.start(() => ({ chat: 'ok' }));
});
afterAll(async () => {
  await server.close();
});

describe('LlmClient chat', () => {
  test('sends model, messages, thinking switched off and the bearer key', async () => {
    use(() => ({ chat: 'hello there' }));
    const r = await client().chat(msgs('say hello'), ctx, { maxTokens: 5 });
    assert.equal(r.content, 'hello there');
    const [req] = server.requests;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.body.model, 'test-model');
    assert.deepEqual(req.body.messages, msgs('say hello'));
    assert.deepEqual(req.body.chat_template_kwargs, { enable_thinking: false });
    assert.equal(req.body.max_tokens, 5);
    assert.equal(req.body.temperature, 0);
    assert.equal(req.headers.authorization, `Bearer ${SECRET}`);
  });

  test('chatTemplateKwargs null sends none (for services that reject unknown fields)', async () => {
    use(() => ({ chat: 'x' }));
    await client({ chatTemplateKwargs: null }).chat(msgs('a'), ctx);
    assert.equal('chat_template_kwargs' in server.requests[0].body, false);
  });

  test('429 with Retry-After is retried after the time the server asked for', async () => {
    use((_r, i) =>
      i === 0
        ? { status: 429, body: '{"error":"slow down"}', headers: { 'retry-after-ms': '300' } }
        : { chat: 'done' },
    );
    const ledger = new TokenLedger();
    const r = await client({ ledger }).chat(msgs('q'), ctx);
    assert.equal(r.content, 'done');
    assert.equal(server.requests.length, 2);
    // Retry-After is a lower bound on the wait (Date granularity allows a few ms of rounding).
    assert.ok(server.requests[1].at - server.requests[0].at >= 295, 'waited at least Retry-After');
    const t = ledger.totals();
    assert.equal(t.requests, 2);
    assert.equal(t.failedRequests, 1);
  });

  test('5xx answers are retried with backoff until one succeeds', async () => {
    use((_r, i) => (i < 2 ? { status: i === 0 ? 500 : 503, body: 'overloaded' } : { chat: 'fine' }));
    const r = await client().chat(msgs('q'), ctx);
    assert.equal(r.content, 'fine');
    assert.equal(server.requests.length, 3);
  });

  test('a 400 is not retried, and the error names the endpoint without the key', async () => {
    use((r) => ({ status: 400, body: `{"error":"bad field","echo":"${r.headers.authorization}"}` }));
    const err = await client()
      .chat(msgs('q'), ctx)
      .catch((e) => e);
    assert.ok(err instanceof LlmHttpError);
    assert.equal(err.status, 400);
    assert.equal(server.requests.length, 1);
    assert.match(err.message, /127\.0\.0\.1:\d+\/v1\/chat\/completions answered HTTP 400/);
    assert.ok(!String(err.message).includes(SECRET));
    assert.match(err.message, /Bearer \[key\]/);
  });

  test('an answer slower than the deadline is abandoned and retried', async () => {
    use((_r, i) => (i === 0 ? { chat: 'too late', delayMs: 8000 } : { chat: 'in time' }));
    const r = await client({ timeoutMs: 1500 }).chat(msgs('q'), ctx);
    assert.equal(r.content, 'in time');
    // Usually 2; a starved machine may also time out a fast answer, which is retried the same way.
    assert.ok(server.requests.length >= 2);
  });

  test('a server that never answers fails with a timeout after the last attempt', async () => {
    use(() => ({ hang: true }));
    const ledger = new TokenLedger();
    const err = await client({ timeoutMs: 150, retry: { ...FAST_RETRY, maxAttempts: 3 }, ledger })
      .chat(msgs('q'), ctx)
      .catch((e) => e);
    assert.ok(err instanceof LlmTimeoutError, String(err));
    assert.equal(server.requests.length, 3);
    assert.equal(ledger.totals().failedRequests, 3);
  });

  test('a Retry-After beyond the allowed wait fails at once', async () => {
    use(() => ({ status: 429, body: 'later', headers: { 'retry-after': '3600' } }));
    const err = await client({ retry: { ...FAST_RETRY, maxRetryAfterMs: 10_000 } })
      .chat(msgs('q'), ctx)
      .catch((e) => e);
    assert.ok(err instanceof LlmHttpError);
    assert.equal(err.retryAfterMs, 3_600_000);
    assert.equal(server.requests.length, 1);
  });

  test('concurrency reaches the bound and never exceeds it', async () => {
    let inFlight = 0;
    let peak = 0;
    const held: (() => void)[] = [];
    use(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Answers are held until three requests are in flight together (2 s at most, so a bug fails, not hangs).
      await new Promise<void>((resolve) => {
        held.push(resolve);
        if (held.length >= 3) for (const release of held.splice(0)) release();
        setTimeout(resolve, 2000);
      });
      inFlight--;
      return { chat: 'x' };
    });
    const c = client({ limits: { maxConcurrent: 3, requestsPerMinute: 60_000 } });
    await Promise.all(Array.from({ length: 12 }, (_, i) => c.chat(msgs(`q${i}`), ctx)));
    assert.equal(server.requests.length, 12);
    assert.equal(peak, 3);
  });

  test('requests per minute space request starts evenly', async () => {
    const arrivals: number[] = [];
    use(() => {
      arrivals.push(Date.now());
      return { chat: 'x' };
    });
    const c = client({ limits: { requestsPerMinute: 600, maxConcurrent: 10 } }); // one start per 100 ms
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 5 }, (_, i) => c.chat(msgs(`r${i}`), ctx)));
    // Lower bound only: the 5th start is planned 400 ms after the first could start.
    assert.ok(Math.max(...arrivals) - t0 >= 398, `5th start after ${Math.max(...arrivals) - t0} ms`);
  });
});

describe('LlmClient token rate', () => {
  test('tokens per minute hold requests once the 10-second bucket is spent', async () => {
    const arrivals: number[] = [];
    use(() => {
      arrivals.push(Date.now());
      return { chat: 'x' };
    });
    // 60,000 tokens/min: a bucket of 10,000 refilled at 1,000/s. Each request is estimated at ~2,500 tokens
    // (its max_tokens plus the prompt), so four start at once and the fifth waits for ~2.5 s of refill.
    const c = client({ limits: { tokensPerMinute: 60_000, requestsPerMinute: 60_000, maxConcurrent: 10 } });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 5 }, (_, i) => c.chat(msgs(`t${i}`), ctx, { maxTokens: 2490 })));
    arrivals.sort((a, b) => a - b);
    assert.ok(arrivals[4] - t0 >= 2000, `fifth request after ${arrivals[4] - t0} ms`);
  });
});

describe('LlmClient ledger and budget', () => {
  test('totals equal what the server billed; cost from the prices', async () => {
    use((_r, i) => ({ chat: 'one two three', usage: { prompt: 100 + i, completion: 3, cached: 40 } }));
    const ledger = new TokenLedger({ inputPerMillion: 2, outputPerMillion: 10, cachedInputPerMillion: 1 });
    const c = client({ ledger });
    await c.chat(msgs('a'), { stage: 's1', scope: 'A' });
    await c.chat(msgs('b'), { stage: 's1', scope: 'B' });
    await c.chat(msgs('c'), { stage: 's2' });
    const t = ledger.totals();
    assert.equal(t.promptTokens, server.billed.promptTokens);
    assert.equal(t.promptTokens, 100 + 101 + 102);
    assert.equal(t.completionTokens, 9);
    assert.equal(t.cachedPromptTokens, 120);
    assert.equal(t.requests, 3);
    // (303 − 120)·2 + 120·1 + 9·10 = 366 + 120 + 90 = 576 → $0.000576
    assert.ok(Math.abs(t.costUsd - 0.000576) < 1e-12, String(t.costUsd));
    assert.deepEqual(Object.keys(ledger.byStage()), ['s1', 's2']);
    assert.equal(ledger.byScope('s1').B.promptTokens, 101);
    assert.equal(ledger.toJSON().stages.s1.scopes.A.requests, 1);
  });

  test('a budget cap refuses new requests once reached', async () => {
    use(() => ({ chat: 'answer', usage: { prompt: 500, completion: 100 } }));
    const ledger = new TokenLedger(undefined, { maxTokens: 700 });
    const c = client({ ledger });
    await c.chat(msgs('first'), ctx);
    const err = await c.chat(msgs('second'), ctx).catch((e) => e);
    assert.ok(err instanceof BudgetExceededError, String(err));
    assert.match(err.message, /token budget reached: 600 used/);
    assert.equal(server.requests.length, 1);
  });

  test('a cost cap applies only to the stages it names', async () => {
    use(() => ({ chat: 'answer', usage: { prompt: 1000, completion: 0 } }));
    const ledger = new TokenLedger(
      { inputPerMillion: 1000, outputPerMillion: 0 },
      { maxCostUsd: 1.2, stages: ['n'] },
    );
    const c = client({ ledger });
    await c.chat(msgs('1'), { stage: 'n' }); // $1 spent; the next one is estimated at ~261 tokens = $0.26
    await c.chat(msgs('2'), { stage: 'other' }); // not capped
    await assert.rejects(c.chat(msgs('3'), { stage: 'n' }), BudgetExceededError);
    assert.equal(server.requests.length, 2);
  });
});

describe('LlmClient JSON output', () => {
  const schema = z.object({ answer: z.string(), n: z.number().int() }).strict();

  test('sends a json_schema response_format and returns the parsed value', async () => {
    use(() => ({ chat: '```json\n{"answer":"yes","n":3}\n```' }));
    const r = await client().chatJson({ ...ctx, messages: msgs('q'), schema, schemaName: 'reply' });
    assert.deepEqual(r.value, { answer: 'yes', n: 3 });
    assert.equal(r.repaired, false);
    const rf = server.requests[0].body.response_format;
    assert.equal(rf.type, 'json_schema');
    assert.equal(rf.json_schema.name, 'reply');
    assert.deepEqual(rf.json_schema.schema.required, ['answer', 'n']);
  });

  test('malformed JSON gets one repair request quoting the problem', async () => {
    use((_r, i) => (i === 0 ? { chat: '{"answer": "yes", n: }' } : { chat: '{"answer":"yes","n":4}' }));
    const r = await client().chatJson({ ...ctx, messages: msgs('q'), schema, schemaName: 'reply' });
    assert.deepEqual(r.value, { answer: 'yes', n: 4 });
    assert.equal(r.repaired, true);
    assert.equal(server.requests.length, 2);
    const repair = server.requests[1].body.messages;
    assert.equal(repair.length, 3);
    assert.equal(repair[1].role, 'assistant');
    assert.match(repair[2].content, /not valid JSON/);
  });

  test('a failed repair throws with the parsed values; a re-run replays it from the cache', async () => {
    use(() => ({ chat: '{"answer":"yes","n":1.5}' }));
    const cache = new MemoryResponseCache();
    const req = { ...ctx, messages: msgs('q'), schema, schemaName: 'reply' };
    const err = await client({ cache })
      .chatJson(req)
      .catch((e) => e);
    assert.ok(err instanceof StructuredOutputError, String(err));
    assert.equal(err.values.length, 2);
    assert.equal(server.requests.length, 2);
    const ledger = new TokenLedger();
    const again = await client({ cache, ledger })
      .chatJson(req)
      .catch((e) => e);
    assert.ok(again instanceof StructuredOutputError);
    assert.equal(again.message, err.message);
    assert.deepEqual(again.values, err.values);
    assert.equal(server.requests.length, 2, 'no request on the re-run');
    assert.equal(ledger.totals().cacheHits, 1);
  });

  test('service failures are not cached', async () => {
    use((_r, i) => (i === 0 ? { status: 400, body: 'bad' } : { chat: '{"answer":"later","n":2}' }));
    const cache = new MemoryResponseCache();
    const req = { ...ctx, messages: msgs('q2'), schema, schemaName: 'reply' };
    await assert.rejects(client({ cache }).chatJson(req), LlmHttpError);
    const r = await client({ cache }).chatJson(req);
    assert.deepEqual(r.value, { answer: 'later', n: 2 });
    assert.equal(server.requests.length, 2);
  });

  test("the caller's checks trigger the repair too", async () => {
    use((_r, i) => ({ chat: JSON.stringify({ answer: i === 0 ? 'ACME wins' : 'wins', n: 1 }) }));
    const r = await client().chatJson({
      ...ctx,
      messages: msgs('q'),
      schema,
      schemaName: 'reply',
      check: (v) => (v.answer.includes('ACME') ? ['the answer names the company'] : []),
    });
    assert.equal(r.value.answer, 'wins');
    assert.match(server.requests[1].body.messages[2].content, /names the company/);
  });
});

describe('cut-off JSON', () => {
  test('the complete part of a cut-off reply is recovered; strings and escapes are respected', () => {
    assert.deepEqual(recoverCutOffJson('{"1":{"name":"a","description":"b"},"2":{"name":"Margin and co'), {
      1: { name: 'a', description: 'b' },
    });
    // Braces and escaped quotes inside strings do not count as structure.
    assert.deepEqual(recoverCutOffJson('{"1":{"name":"a} \\"x\\" {","d":"]"},"2":{"name"'), {
      1: { name: 'a} "x" {', d: ']' },
    });
    assert.deepEqual(recoverCutOffJson('{"items":[{"id":1},{"id":2},{"id":'), {
      items: [{ id: 1 }, { id: 2 }],
    });
    assert.equal(recoverCutOffJson('{"1":{"name":"nothing closed yet'), null);
    assert.equal(recoverCutOffJson('{"a":1}'), null, 'complete JSON is not a cut-off reply');
    assert.equal(recoverCutOffJson('no json here'), null);
  });

  test('a cut-off reply is invalid as a whole but keeps its complete part', () => {
    const r = validateReply('{"answer":"yes","n":3,"more":{"x":1},"cut', z.any());
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.problems[0] === 'the reply was cut off before its end');
    assert.deepEqual(!r.ok && r.value, { answer: 'yes', n: 3, more: { x: 1 } });
  });
});

describe('LlmClient JSON output without the generic repair', () => {
  const schema = z.object({ answer: z.string(), n: z.number().int() }).strict();

  test('repair false: one request; the error carries the parsed value and is replayed from the cache', async () => {
    use(() => ({ chat: '{"answer":"yes","n":1.5}' }));
    const cache = new MemoryResponseCache();
    const req = { ...ctx, messages: msgs('q'), schema, schemaName: 'reply', repair: false };
    const err = await client({ cache })
      .chatJson(req)
      .catch((e) => e);
    assert.ok(err instanceof StructuredOutputError, String(err));
    assert.match(err.message, /^answer invalid: at n: /);
    assert.deepEqual(err.values, [{ answer: 'yes', n: 1.5 }]);
    assert.equal(server.requests.length, 1);
    const again = await client({ cache })
      .chatJson(req)
      .catch((e) => e);
    assert.deepEqual(again.values, err.values);
    assert.equal(server.requests.length, 1, 'no request on the re-run');
  });
});

describe('LlmClient response cache', () => {
  test('a re-run with a lake-folder cache sends no request', async () => {
    const dir = tempDir();
    try {
      use((_r, i) => (i === 0 ? { chat: 'not json' } : { chat: '{"answer":"cached","n":7}' }));
      const schema = z.object({ answer: z.string(), n: z.number() });
      const store = new LocalLakeStore(dir.path);
      const req = { ...ctx, messages: msgs('cache me'), schema, schemaName: 'reply' };
      const first = await client({ cache: new StoreResponseCache(store) }).chatJson(req);
      assert.equal(first.fromCache, false);
      assert.equal(server.requests.length, 2);
      const ledger = new TokenLedger();
      const again = await client({
        cache: new StoreResponseCache(new LocalLakeStore(dir.path)),
        ledger,
      }).chatJson(req);
      assert.equal(server.requests.length, 2, 'no request on the warm run');
      assert.deepEqual(again.value, { answer: 'cached', n: 7 });
      assert.equal(again.fromCache, true);
      assert.deepEqual(
        { requests: ledger.totals().requests, cacheHits: ledger.totals().cacheHits },
        { requests: 0, cacheHits: 1 },
      );
      const shard = readdirSync(join(dir.path, '_cache/llm'));
      assert.equal(shard.length, 1);
      const files = readdirSync(join(dir.path, '_cache/llm', shard[0]));
      assert.equal(files.length, 1, 'only the validated answer is kept');
      assert.ok(!readFileSync(join(dir.path, '_cache/llm', shard[0], files[0]), 'utf8').includes(SECRET));
    } finally {
      dir.cleanup();
    }
  });

  test('different parameters miss the cache; concurrent equal requests share one call', async () => {
    use(async () => {
      await new Promise((r) => setTimeout(r, 30));
      return { chat: 'x' };
    });
    const c = client({ cache: new MemoryResponseCache() });
    await Promise.all([c.chat(msgs('same'), ctx), c.chat(msgs('same'), ctx)]);
    assert.equal(server.requests.length, 1);
    await c.chat(msgs('same'), ctx, { temperature: 0.7 });
    assert.equal(server.requests.length, 2);
    await c.chat(msgs('same'), ctx);
    assert.equal(server.requests.length, 2);
  });
});

describe('LlmClient embeddings', () => {
  test('rows come back in input order and from the cache on the second call', async () => {
    use((r) => {
      const inputs = r.body.input as string[];
      // answer in reverse order, with explicit indexes
      const vectors = inputs.map((t) => [t.length, 1, 0]);
      return {
        status: 200,
        body: JSON.stringify({
          data: vectors.map((embedding, index) => ({ index, embedding })).reverse(),
          usage: { prompt_tokens: inputs.length * 2 },
        }),
      };
    });
    const ledger = new TokenLedger();
    const c = client({ cache: new MemoryResponseCache(), ledger });
    const rows = await c.embed(['a', 'bbb', ''], { stage: 'embedding' });
    assert.deepEqual(
      rows.map((r) => [...r]),
      [
        [1, 1, 0],
        [3, 1, 0],
        [1, 1, 0],
      ],
    );
    assert.deepEqual(server.requests[0].body.input, ['a', 'bbb', ' ']);
    const again = await c.embed(['a', 'bbb', ''], { stage: 'embedding' });
    assert.equal(server.requests.length, 1);
    assert.deepEqual(
      again.map((r) => [...r]),
      rows.map((r) => [...r]),
    );
    assert.equal(ledger.totals().promptTokens, 6);
  });

  test('a wrong number of vectors is an error', async () => {
    use(() => ({ vectors: [[1, 2]] }));
    await assert.rejects(
      client({ retry: { ...FAST_RETRY, maxAttempts: 1 } }).embed(['a', 'b'], { stage: 'embedding' }),
      /expected 2 embeddings, got 1/,
    );
  });
});
