/**
 * The serving image's router and `serve` entrypoint as plain processes (no Docker daemon here): the JSON Schema
 * it reads agrees with the adapter's zod schema, /ping is healthy only when every upstream is, /invocations
 * fans sub-requests out to the right upstream and keeps their ids, bad payloads get 400 naming the problem,
 * SIGTERM stops it cleanly, and hadolint passes the Dockerfile.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { invocationJsonSchema, invocationResponseSchema } from '@callthemes/common/inference';
import { freePort } from '@callthemes/common/testing/free-port';
import {
  type OfflineUpstream,
  startOfflineUpstream,
} from '@callthemes/common/testing/offline-upstream-server';
import { REPO_ROOT, skipIf } from '@callthemes/common/testing/paths';
import { type ServingRouter, startServingRouter } from '@callthemes/common/testing/serving-router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SERVING = join(REPO_ROOT, 'infra', 'serving');
const HADOLINT = process.env.CALLTHEMES_HADOLINT ?? join(REPO_ROOT, '.cache', 'hadolint', 'bin', 'hadolint');
const DEAD = 'http://127.0.0.1:9'; // discard port: nothing listens

let upstream: OfflineUpstream;
let router: ServingRouter;
beforeAll(async () => {
  upstream = await startOfflineUpstream();
  router = await startServingRouter({ chat: upstream.url, embed: upstream.url, classify: upstream.url });
});
afterAll(async () => {
  await router?.close();
  await upstream?.close();
});

const post = async (url: string, body: unknown) => {
  const r = await fetch(`${url}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};

describe('serving router', () => {
  it('reads the JSON Schema generated from the adapter zod schema (pnpm -s gen:invocation-schema)', () => {
    const file = JSON.parse(readFileSync(join(SERVING, 'invocation.schema.json'), 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(invocationJsonSchema())));
  });

  it('answers /ping 200 only when every upstream answers', async () => {
    const ping = await fetch(`${router.url}/ping`);
    expect([ping.status, await ping.json()]).toEqual([200, { status: 'healthy' }]);
    const partial = await startServingRouter({ chat: DEAD, embed: upstream.url, classify: upstream.url });
    try {
      const r = await fetch(`${partial.url}/ping`);
      expect([r.status, await r.json()]).toEqual([503, { status: 'loading' }]);
      // A sub-request to the missing upstream fails alone, with 502; the others are answered.
      const mixed = await post(partial.url, {
        version: 1,
        requests: [
          { id: 'c', kind: 'chat', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } },
          { id: 'e', kind: 'embed', body: { model: 'm', input: ['hello world'] } },
        ],
      });
      const rs = mixed.json.responses as { id: string; status: number }[];
      expect(rs.map((r) => [r.id, r.status])).toEqual([
        ['c', 502],
        ['e', 200],
      ]);
    } finally {
      await partial.close();
    }
  });

  it('answers /ping while 64 invocations are held upstream (its checks never queue behind them)', async () => {
    // An upstream that holds every invocation until the test releases it and whose /health is instant, as vLLM's
    // under load: a /ping that queued behind the forwarding pool could only be answered after the release, so
    // answering before it is the property (no wall-clock bound, which a loaded machine would break).
    const held: (() => void)[] = [];
    const slow = createServer((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{}');
      }
      req.resume();
      held.push(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [], model: 'm' }));
      });
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    const busy = await startServingRouter({ chat: slowUrl, embed: slowUrl, classify: slowUrl });
    try {
      let answeredEarly = 0;
      const invocations = Array.from({ length: 64 }, (_, i) =>
        post(busy.url, {
          version: 1,
          requests: [{ id: `e${i}`, kind: 'embed', body: { input: ['x'] } }],
        }).then((a) => {
          answeredEarly++;
          return a;
        }),
      );
      // The forwarding pool (32 threads) is full, and 32 more sub-requests wait for it.
      const t0 = Date.now();
      while (held.length < 32 && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 20));
      expect(held.length).toBe(32);
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${busy.url}/ping`, { signal: AbortSignal.timeout(20_000) });
        expect(r.status).toBe(200);
      }
      // Nothing was released, so nothing was answered: the pings did not wait for the invocations.
      expect([held.length, answeredEarly]).toEqual([32, 0]);
      // Release as they arrive until all 64 are answered.
      const all = Promise.all(invocations);
      let done = false;
      void all.finally(() => {
        done = true;
      });
      while (!done) {
        for (const release of held.splice(0)) release();
        await new Promise((r) => setTimeout(r, 20));
      }
      const answered = await all;
      expect(answered.map((a) => a.status)).toEqual(Array(64).fill(200));
    } finally {
      await busy.close();
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('routes embed, classify and chat sub-requests to their upstreams, in order, keeping their ids', async () => {
    const before = { ...upstream.requests };
    const { status, json } = await post(router.url, {
      version: 1,
      requests: [
        { id: 'e1', kind: 'embed', body: { model: 'emb', input: ['Revenue grew.', 'Costs fell.'] } },
        {
          id: 'k1',
          kind: 'classify',
          body: { model: 'cls', input: ['Revenue grew strongly to a record.', 'The loss widened badly.'] },
        },
        {
          id: 'n1',
          kind: 'chat',
          body: {
            model: 'chat',
            messages: [{ role: 'user', content: 'Topic 1\nKeywords: revenue, growth' }],
          },
        },
      ],
    });
    expect(status).toBe(200);
    const parsed = invocationResponseSchema.parse(json);
    expect(parsed.responses.map((r) => [r.id, r.kind, r.status])).toEqual([
      ['e1', 'embed', 200],
      ['k1', 'classify', 200],
      ['n1', 'chat', 200],
    ]);
    const [emb, cls, chat] = parsed.responses.map((r) => r.body) as [
      { data: { embedding: number[] }[] },
      { data: { label: string }[] },
      { choices: { message: { content: string } }[] },
    ];
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0].embedding).toHaveLength(100);
    expect(cls.data.map((d) => d.label)).toEqual(['positive', 'negative']);
    expect(JSON.parse(chat.choices[0].message.content)).toEqual({
      '1': { name: 'Revenue and growth', description: 'Speakers discuss revenue, growth.' },
    });
    const delta = (p: string) => (upstream.requests[p] ?? 0) - (before[p] ?? 0);
    expect([delta('/v1/embeddings'), delta('/classify'), delta('/v1/chat/completions')]).toEqual([1, 1, 1]);
  });

  it('answers 400 naming the problem for a payload outside the contract, 404 elsewhere', async () => {
    expect(await post(router.url, 'not json')).toEqual({
      status: 400,
      json: { error: 'the invocation is not JSON' },
    });
    expect(await post(router.url, { version: 2, requests: [] })).toEqual({
      status: 400,
      json: { error: 'version must be 1' },
    });
    expect(
      await post(router.url, { version: 1, requests: [{ id: 'a', kind: 'translate', body: {} }] }),
    ).toEqual({
      status: 400,
      json: { error: 'requests[0].kind must be one of embed, chat, classify' },
    });
    expect(
      await post(router.url, {
        version: 1,
        requests: [
          { id: 'a', kind: 'embed', body: {} },
          { id: 'a', kind: 'embed', body: {} },
        ],
      }),
    ).toEqual({ status: 400, json: { error: 'requests[1].id a is repeated' } });
    expect((await fetch(`${router.url}/models`)).status).toBe(404);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const r = await startServingRouter({ chat: upstream.url, embed: upstream.url, classify: upstream.url });
    const code = new Promise((resolve) => r.child.once('exit', (c) => resolve(c)));
    r.child.kill('SIGTERM');
    expect(await code).toBe(0);
  });

  it('prints the three vLLM model servers and their GPU memory split', () => {
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import json,sys; sys.path.insert(0, sys.argv[1]); import runpy; m = runpy.run_path(sys.argv[1] + "/serve"); print(json.dumps(m["upstream_commands"]({})))',
        SERVING,
      ],
      { encoding: 'utf8' },
    );
    const cmds = JSON.parse(out) as Record<string, string[]>;
    expect(Object.keys(cmds)).toEqual(['chat', 'embed', 'classify']);
    const mem = (argv: string[]) => Number(argv[argv.indexOf('--gpu-memory-utilization') + 1]);
    expect(cmds.chat.slice(0, 3)).toEqual(['vllm', 'serve', 'Qwen/Qwen3-8B-FP8']);
    expect(cmds.embed.slice(0, 3)).toEqual(['vllm', 'serve', 'Qwen/Qwen3-Embedding-8B']);
    expect(cmds.classify.slice(0, 3)).toEqual(['vllm', 'serve', 'yiyanghkust/finbert-tone']);
    expect(mem(cmds.chat) + mem(cmds.embed) + mem(cmds.classify)).toBeCloseTo(0.95, 6);
  });

  it(
    'passes hadolint',
    skipIf(!existsSync(HADOLINT) && `hadolint not found at ${HADOLINT} (run scripts/fetch-test-model.sh)`),
    () => {
      const out = execFileSync(HADOLINT, [join(SERVING, 'Dockerfile')], { encoding: 'utf8' });
      expect(out).toBe('');
    },
  );
});

describe('serve entrypoint', () => {
  it('starts the three model servers one after another, /ping 503 until all are healthy, and stops them on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { createInterface } = await import('node:readline');
    const ports = [await freePort(), await freePort(), await freePort()];
    const child = spawn('python3', [join(SERVING, 'serve')], {
      env: {
        ...process.env,
        CALLTHEMES_VLLM_BIN: `python3 ${join(REPO_ROOT, 'infra', 'test', 'serving', 'fake-vllm.py')}`,
        CALLTHEMES_ROUTER_PORT: '0',
        CALLTHEMES_ROUTER_HOST: '127.0.0.1',
        CALLTHEMES_UPSTREAM_CHAT: `http://127.0.0.1:${ports[0]}`,
        CALLTHEMES_UPSTREAM_EMBED: `http://127.0.0.1:${ports[1]}`,
        CALLTHEMES_UPSTREAM_CLASSIFY: `http://127.0.0.1:${ports[2]}`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    let url = '';
    const listening = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (l) => {
        lines.push(l);
        const m = /router listening on [^:]+:(\d+)/.exec(l);
        if (m) {
          url = `http://127.0.0.1:${m[1]}`;
          resolve();
        }
      });
    });
    await listening;
    const first = await fetch(`${url}/ping`);
    expect(first.status).toBe(503);
    const t0 = Date.now();
    let status = 503;
    while (status !== 200 && Date.now() - t0 < 60_000) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await fetch(`${url}/ping`)).status;
    }
    expect(status).toBe(200);
    while (!lines.some((l) => l.includes('classify healthy')) && Date.now() - t0 < 60_000)
      await new Promise((r) => setTimeout(r, 100));
    const order = lines.flatMap((l) => {
      const m = /^serve: (?:starting (\w+)|(\w+) healthy)/.exec(l);
      return m ? [m[1] ? `start ${m[1]}` : `${m[2]} healthy`] : [];
    });
    expect(order).toEqual([
      'start chat',
      'chat healthy',
      'start embed',
      'embed healthy',
      'start classify',
      'classify healthy',
    ]);
    const code = new Promise((resolve) => child.once('exit', (c) => resolve(c)));
    child.kill('SIGTERM');
    expect(await code).toBe(0);
    // Its model servers are gone with it.
    for (const p of ports) await expect(fetch(`http://127.0.0.1:${p}/health`)).rejects.toThrow();
  });
});
