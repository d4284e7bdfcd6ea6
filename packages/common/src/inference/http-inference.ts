/**
 * Any OpenAI-compatible server (vLLM, llama.cpp's server, text-embeddings-inference): today's LlmClient for chat,
 * HttpEmbedder for embeddings and HttpClassifier (vLLM's /classify) for sentiment, one base URL for all three
 * unless a kind has its own.
 */
import { HttpEmbedder } from '../embed/http-embedder.js';
import { StoreResponseCache, type TextStore } from '../llm/cache.js';
import { LlmClient } from '../llm/client.js';
import { TokenLedger } from '../llm/ledger.js';
import type { LimiterOptions } from '../llm/limiter.js';
import { HttpClassifier } from '../sentiment/http-classifier.js';
import { ComposedInference } from './composed.js';
import type { ServedModels } from './served-models.js';

export interface HttpInferenceOptions {
  url: string;
  /** Per-kind base URLs overriding `url`. */
  urls?: { chat?: string; embed?: string; classify?: string };
  models: ServedModels;
  apiKey?: string;
  store?: TextStore | null;
  ledger?: TokenLedger;
  limits?: Partial<LimiterOptions>;
  timeoutMs?: number;
  embedBatchSize?: number;
  log?: (line: string) => void;
}

export async function createHttpInference(o: HttpInferenceOptions): Promise<ComposedInference> {
  const ledger = o.ledger ?? new TokenLedger();
  const client = (baseUrl: string, model: string, prefix: string) =>
    new LlmClient({
      baseUrl,
      model,
      apiKey: o.apiKey,
      limits: o.limits,
      timeoutMs: o.timeoutMs,
      ledger,
      cache: o.store ? new StoreResponseCache(o.store, prefix) : null,
      onRetry:
        o.log &&
        ((e) => o.log?.(`retry ${e.endpoint} after attempt ${e.attempt}: ${(e.error as Error).message}`)),
    });
  const chat = client(o.urls?.chat ?? o.url, o.models.chat, '_cache/llm');
  const embedClient = client(o.urls?.embed ?? o.url, o.models.embed, '_cache/embeddings');
  let embedder: HttpEmbedder;
  try {
    embedder = await HttpEmbedder.open({
      client: embedClient,
      batchSize: o.embedBatchSize ?? 64,
      dimensions: o.models.dimensions,
    });
  } catch (err) {
    await Promise.all([chat.close(), embedClient.close()]);
    throw err;
  }
  const classifier = new HttpClassifier({
    url: o.urls?.classify ?? o.url,
    api: 'vllm',
    model: o.models.classify,
  });
  const publicUrl = (u: string) => {
    const x = new URL(u);
    x.username = '';
    x.password = '';
    return x.toString();
  };
  return new ComposedInference({
    kind: 'http',
    embedder,
    chat,
    classifier,
    ledger,
    describe: () => ({ url: publicUrl(o.url) }),
    close: async () => {
      await Promise.all([chat.close(), embedClient.close()]);
    },
  });
}
