/**
 * Any OpenAI-compatible server (vLLM, llama.cpp's server, text-embeddings-inference), per kind: chat through an
 * LlmClient, embeddings through the HttpEmbedder, sentence labels through the HttpClassifier (vLLM's /classify or
 * TEI's /predict). A kind the settings give no service stays offline (SIF embeddings, no chat so keyword names,
 * the lexicon), so `--llm-url` alone gives served names with offline embeddings and lexicon labels. One token
 * ledger for all; response caches in the lake.
 */

import { HttpEmbedder } from '../embed/http-embedder.js';
import type { SifEmbedder } from '../embed/sif.js';
import type { Embedder } from '../embed/types.js';
import { StoreResponseCache, type TextStore } from '../llm/cache.js';
import { LlmClient, normalizeBaseUrl } from '../llm/client.js';
import { TokenLedger } from '../llm/ledger.js';
import { HttpClassifier } from '../sentiment/http-classifier.js';
import { LexiconClassifier } from '../sentiment/lexicon-classifier.js';
import { LocalServiceCalls } from '../sentiment/service-calls.js';
import type { SentimentClassifier } from '../sentiment/types.js';
import { ComposedInference } from './composed.js';
import type { ClassifySettings, ServiceEndpoint, ServiceSettings } from './http-settings.js';
import { offlineEmbedder } from './offline-inference.js';

export interface HttpInferenceDeps {
  /** Where response caches live (the lake); no cache when null or absent. */
  store?: TextStore | null;
  ledger?: TokenLedger;
  /** The offline embedder's word vectors, for a kind without a service. */
  sif: () => SifEmbedder;
  /** One line per notable event (retries). */
  log?: (line: string) => void;
}

/** The served classifier of the settings, or the offline lexicon. */
export function classifierFor(s: ClassifySettings | null): SentimentClassifier {
  if (!s) return new LexiconClassifier();
  return new HttpClassifier({
    url: s.url,
    api: s.api,
    model: s.model,
    batchSize: s.batchSize,
    apiKey: s.apiKey,
    labelMap: s.labelMap,
    calls: new LocalServiceCalls({ concurrency: s.concurrency }),
  });
}

/** A URL without its credentials, for describe() and logs. */
function publicUrl(u: string): string {
  const x = new URL(normalizeBaseUrl(u));
  x.username = '';
  x.password = '';
  return x.toString();
}

export async function createHttpInference(
  settings: ServiceSettings,
  deps: HttpInferenceDeps,
): Promise<ComposedInference> {
  const ledger = deps.ledger ?? new TokenLedger();
  const client = (s: ServiceEndpoint, prefix: string, extra = {}) =>
    new LlmClient({
      baseUrl: s.url,
      model: s.model,
      apiKey: s.apiKey,
      limits: s.limits,
      timeoutMs: s.timeoutMs,
      retry: { maxAttempts: s.maxAttempts },
      cache: s.cache && deps.store ? new StoreResponseCache(deps.store, prefix) : null,
      ledger,
      onRetry:
        deps.log &&
        ((e) =>
          deps.log?.(
            `retry ${e.endpoint} after attempt ${e.attempt} in ${Math.round(e.delayMs)} ms: ${(e.error as Error).message}`,
          )),
      ...extra,
    });
  const chat = settings.llm
    ? client(settings.llm, '_cache/llm', { chatTemplateKwargs: { enable_thinking: settings.llm.thinking } })
    : null;
  const embedClient = settings.embed ? client(settings.embed, '_cache/embeddings') : null;
  const clients = [chat, embedClient].filter((c): c is LlmClient => c !== null);
  let embedder: Embedder;
  try {
    embedder =
      settings.embed && embedClient
        ? await HttpEmbedder.open({
            client: embedClient,
            batchSize: settings.embed.batchSize,
            dimensions: settings.embed.dimensions,
            cache: settings.embed.cache,
          })
        : offlineEmbedder(deps.sif);
  } catch (err) {
    await Promise.all(clients.map((c) => c.close()));
    throw err;
  }
  const classifier = classifierFor(settings.classify);
  const served = settings.llm || settings.embed || settings.classify;
  return new ComposedInference({
    kind: served ? 'http' : 'offline',
    embedder,
    chat,
    classifier,
    ledger,
    describe: () => ({
      llm: settings.llm && {
        url: publicUrl(settings.llm.url),
        model: settings.llm.model,
        limits: settings.llm.limits,
        thinking: settings.llm.thinking,
        cache: settings.llm.cache,
      },
      embed: settings.embed && {
        url: publicUrl(settings.embed.url),
        model: settings.embed.model,
        limits: settings.embed.limits,
        batchSize: settings.embed.batchSize,
        cache: settings.embed.cache,
      },
      classify: settings.classify && {
        url: publicUrl(settings.classify.url),
        model: settings.classify.model,
      },
    }),
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await classifier.close?.();
    },
  });
}
