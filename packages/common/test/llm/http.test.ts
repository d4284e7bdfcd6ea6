/**
 * The transport's timeouts are the client's per-attempt deadline, not undici's default 300 s, checked against the
 * scripted test server on 127.0.0.1: the pool alone (no AbortSignal) gives up on headers and on a stalled body
 * at the deadline it was built with, and waits for answers inside it; the client uses such a pool.
 */
import assert from 'node:assert/strict';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { LlmClient } from '../../src/llm/client.js';
import { LlmTimeoutError } from '../../src/llm/errors.js';
import { deadlinePool, type HttpFetch, httpFetch } from '../../src/llm/http.js';
import { type Handler, OpenAiTestServer } from '../helpers/openai-test-server.js';

let server: OpenAiTestServer;
const use = (h: Handler) => {
  server.requests.length = 0;
  server.handler = h;
};

beforeAll(async () => {
  server = await OpenAiTestServer.start(() => ({ chat: 'ok' }));
});
afterAll(async () => {
  await server.close();
});

/**
 * One POST through a fresh deadline pool of `timeoutMs`, with no AbortSignal of its own: only the pool's timers
 * can end the wait. The pool is destroyed afterwards.
 */
async function postThrough(timeoutMs: number): Promise<{ status: number; text: string } | { code: string }> {
  const pool = deadlinePool({ timeoutMs });
  try {
    const res = await httpFetch(`${server.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: new AbortController().signal,
      dispatcher: pool,
    });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    return { code: String((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message) };
  } finally {
    await pool.destroy();
  }
}

describe('deadline pool', () => {
  test('headers later than the deadline: the pool gives up with a headers timeout', async () => {
    use(() => ({ status: 200, body: '{}', delayMs: 5000 }));
    assert.deepEqual(await postThrough(300), { code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  test('a body that stalls past the deadline after the headers: the pool gives up with a body timeout', async () => {
    use(() => ({ status: 200, body: '{}', bodyDelayMs: 5000 }));
    assert.deepEqual(await postThrough(300), { code: 'UND_ERR_BODY_TIMEOUT' });
  });

  test('headers and body inside a longer deadline are waited for', async () => {
    use(() => ({ status: 200, body: '{"late":true}', delayMs: 400, bodyDelayMs: 400 }));
    assert.deepEqual(await postThrough(4000), { status: 200, text: '{"late":true}' });
  });

  test('a deadline must be positive', () => {
    assert.throws(() => deadlinePool({ timeoutMs: 0 }), /must be positive/);
  });
});

describe('client transport', () => {
  test('the deadline is not capped at 300 s, and every attempt goes through the client’s pool', async () => {
    use(() => ({ chat: 'fine' }));
    const seen: unknown[] = [];
    const recording: HttpFetch = (url, init) => {
      seen.push(init.dispatcher);
      return httpFetch(url, init);
    };
    const client = new LlmClient({
      baseUrl: server.url,
      model: 'm',
      timeoutMs: 900_000,
      fetch: recording,
    });
    try {
      assert.equal(client.timeoutMs, 900_000);
      await client.chat([{ role: 'user', content: 'a' }], { stage: 's' });
      await client.chat([{ role: 'user', content: 'b' }], { stage: 's' });
      assert.equal(seen.length, 2);
      assert.ok(seen[0] instanceof Agent);
      assert.equal(seen[1], seen[0], 'one pool per client');
    } finally {
      await client.close();
    }
  });

  test('a body stalled past the client’s deadline fails as a timeout of that deadline', async () => {
    use(() => ({ status: 200, body: '{}', bodyDelayMs: 5000 }));
    const client = new LlmClient({
      baseUrl: server.url,
      model: 'm',
      timeoutMs: 250,
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    });
    try {
      const err = await client.chat([{ role: 'user', content: 'q' }], { stage: 's' }).catch((e) => e);
      assert.ok(err instanceof LlmTimeoutError, String(err));
      assert.equal(err.timeoutMs, 250);
      assert.equal(server.requests.length, 2, 'a timeout is retried');
    } finally {
      await client.close();
    }
  });
});
