/**
 * OpenAI-compatible upstreams backed by the OFFLINE adapter, on 127.0.0.1, for the serving router in tests and
 * benchmarks: `/v1/embeddings` (SIF vectors, as float lists or base64 float32), `/classify` (the lexicon classifier in vLLM's format — the stand-in
 * for FinBERT) and `/v1/chat/completions` (topic names made from each prompt item's keywords, usage counted one
 * token per word). Deterministic and cheap, so what is measured is the inference path, not a model.
 */
import { createServer, type Server } from 'node:http';
import { createOfflineInference } from '../../src/inference/offline-inference.js';
import { listenOnLoopback } from '../../src/testing/loopback.js';
import { goodNames, wordTokens } from './openai-test-server.js';

export interface OfflineUpstream {
  url: string;
  requests: Record<string, number>;
  /** Tokens reported in chat and embeddings answers (what a provider would bill). */
  billed: { promptTokens: number; completionTokens: number };
  close(): Promise<void>;
}

export async function startOfflineUpstream(o: { cacheDir?: string } = {}): Promise<OfflineUpstream> {
  const inf = createOfflineInference({ cacheDir: o.cacheDir });
  const requests: Record<string, number> = {};
  const billed = { promptTokens: 0, completionTokens: 0 };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = req.url ?? '/';
    requests[path] = (requests[path] ?? 0) + 1;
    if (req.method === 'GET') return send(path === '/health' ? 200 : 404, {});
    // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(400, { error: 'not JSON' });
    }
    if (path === '/v1/embeddings') {
      const input: string[] = Array.isArray(body.input) ? body.input : [body.input];
      const rows = await inf.embed(input);
      const tokens = input.reduce((s, t) => s + wordTokens(t), 0);
      billed.promptTokens += tokens;
      return send(200, {
        object: 'list',
        model: body.model,
        data: rows.map((r, index) => ({
          object: 'embedding',
          index,
          embedding:
            body.encoding_format === 'base64'
              ? Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('base64')
              : Array.from(r),
        })),
        usage: { prompt_tokens: tokens },
      });
    }
    if (path === '/classify') {
      const input: string[] = body.input;
      const results = await inf.classify(input);
      const order = ['neutral', 'positive', 'negative'];
      return send(200, {
        object: 'list',
        model: body.model,
        data: results.map((r, index) => {
          const rest = (1 - r.score) / 2;
          return {
            index,
            label: r.label,
            probs: order.map((l) => (l === r.label ? r.score : rest)),
            num_classes: 3,
          };
        }),
      });
    }
    if (path === '/v1/chat/completions') {
      const content = JSON.stringify(goodNames(body));
      const prompt = (body.messages as { content: string }[]).reduce((s, m) => s + wordTokens(m.content), 0);
      billed.promptTokens += prompt;
      billed.completionTokens += wordTokens(content);
      return send(200, {
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: prompt, completion_tokens: wordTokens(content), total_tokens: 0 },
      });
    }
    send(404, { error: `no route ${path}` });
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, requests, billed, close };
}
