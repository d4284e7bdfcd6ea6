/**
 * OpenAI-compatible upstreams backed by the OFFLINE adapter, on 127.0.0.1, for the serving router in tests and
 * benchmarks: `/v1/embeddings` (SIF vectors, as float lists or base64 float32), `/classify` (the lexicon classifier in vLLM's format — the stand-in
 * for FinBERT) and `/v1/chat/completions` (topic names made from each prompt item's keywords, usage counted one
 * token per word). Deterministic and cheap, so what is measured is the inference path, not a model.
 */
import { createOfflineInference } from '../../src/inference/offline-inference.js';
import { chatAnswer, classifyAnswer, embeddingsAnswer } from '../../src/testing/fake-model-servers.js';
import { startJsonServer } from '../../src/testing/json-server.js';
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
  const { url, close } = await startJsonServer(
    async (path, body) => {
      if (path === '/v1/embeddings') {
        const input: string[] = Array.isArray(body.input) ? body.input : [body.input];
        const rows = await inf.embed(input);
        const tokens = input.reduce((s, t) => s + wordTokens(t), 0);
        billed.promptTokens += tokens;
        return [200, embeddingsAnswer(body.model, rows, body.encoding_format, tokens)];
      }
      if (path === '/classify') return [200, classifyAnswer(body.model, await inf.classify(body.input))];
      if (path === '/v1/chat/completions') {
        const content = JSON.stringify(goodNames(body));
        const prompt = (body.messages as { content: string }[]).reduce(
          (s, m) => s + wordTokens(m.content),
          0,
        );
        billed.promptTokens += prompt;
        billed.completionTokens += wordTokens(content);
        return [200, chatAnswer(body.model, content, prompt)];
      }
      return [404, { error: `no route ${path}` }];
    },
    (path) => {
      requests[path] = (requests[path] ?? 0) + 1;
    },
  );
  return { url, requests, billed, close };
}
