/**
 * What a worker process builds once and keeps across messages: the served parts (LLM namers, served embeddings;
 * from the CALLTHEMES_* environment, response caches in the lake), the offline SIF word vectors (~180 MB, from
 * the binary cache), the sentiment classifier, and sources by spec. With K local workers every worker gets 1/K of
 * the configured request, token and concurrency limits, so together they stay within what the service allows.
 */
import { stringSetting } from '../config/settings.js';
import { EMBEDDING_STAGE, SifEmbedder } from '../embed/index.js';
import { INFERENCE_ENV } from '../inference/schema.js';
import { parseInferenceSpec } from '../inference/spec.js';
import type { LakeStore } from '../lake/index.js';
import type { LimiterOptions } from '../llm/index.js';
import type { SourceSpec } from '../messages/index.js';
import { KeywordNamer, KeywordThemeNamer } from '../naming/index.js';
import { createClassifier, type SentimentClassifier } from '../sentiment/index.js';
import { createLlmServices, type LlmServices, serviceSettingsFrom } from '../services/index.js';
import { createSource, type TranscriptSource } from '../sources/index.js';

export interface WorkerRuntime {
  /** True when sentences are embedded here (SIF), not by a served model: the word vectors are worth preloading. */
  readonly embedsOffline: boolean;
  services(): Promise<LlmServices>;
  sif(): Promise<SifEmbedder>;
  classifier(): Promise<SentimentClassifier>;
  /** The source of a message's spec, built once per distinct spec. */
  source(spec: SourceSpec): Promise<TranscriptSource>;
  /** Service usage so far (requests, tokens, cost); a message's share is the difference over it. */
  usage(): Record<string, number>;
  close(): Promise<void>;
}

function share(limits: LimiterOptions, k: number): LimiterOptions {
  const part = (x: number) => Math.max(1, Math.floor(x / k));
  return {
    requestsPerMinute: part(limits.requestsPerMinute),
    tokensPerMinute: part(limits.tokensPerMinute),
    maxConcurrent: part(limits.maxConcurrent),
  };
}

function memo<T>(build: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => {
    p ??= build();
    return p;
  };
}

export function workerRuntime(o: { store: LakeStore; cacheDir: string; fleetSize?: number }): WorkerRuntime {
  const k = Math.max(1, o.fleetSize ?? 1);
  let built = null as LlmServices | null;
  // CALLTHEMES_INFERENCE = http:<url> | sagemaker:<endpoint>: embeddings, names and labels through the Inference
  // port; unset or `offline`: today's settings (CALLTHEMES_LLM_URL, CALLTHEMES_EMBED_URL, CALLTHEMES_SENTIMENT_URL).
  const spec = parseInferenceSpec(process.env[INFERENCE_ENV] || 'offline');
  const viaPort = memo(async () => {
    // Loaded on demand: the SageMaker and S3 clients are not needed by the embedded default.
    const { createInference, inferenceServices } = await import('../inference/index.js');
    const inference = await createInference(spec, { store: o.store, cacheDir: o.cacheDir });
    const s = inferenceServices(inference, {
      fallbackTopicNamer: new KeywordNamer(),
      fallbackThemeNamer: new KeywordThemeNamer(),
    });
    return { inference, ...s };
  });
  const services = memo(async () => {
    if (spec.kind !== 'offline') {
      const p = await viaPort();
      built = {
        topicNamer: p.topicNamer,
        themeNamer: p.themeNamer,
        embedder: p.embedder,
        ledger: p.inference.ledger,
        describe: () => ({ inference: p.inference.describe() }),
        close: () => p.inference.close(),
      };
      return built;
    }
    const settings = serviceSettingsFrom({});
    if (settings.llm) settings.llm.limits = share(settings.llm.limits, k);
    if (settings.embed) settings.embed.limits = share(settings.embed.limits, k);
    built = await createLlmServices(settings, { store: o.store, fallbackTopicNamer: new KeywordNamer() });
    return built;
  });
  const sif = memo(async () => SifEmbedder.load({ cacheDir: o.cacheDir }));
  const classifier = memo(async () =>
    spec.kind !== 'offline' ? (await viaPort()).classifier : createClassifier({}),
  );
  const sources = new Map<string, Promise<TranscriptSource>>();
  return {
    embedsOffline: spec.kind === 'offline' && !stringSetting('embedUrl', undefined),
    services,
    sif,
    classifier,
    source(spec) {
      const key = JSON.stringify(spec);
      let s = sources.get(key);
      if (!s) {
        s = createSource({ ...spec });
        sources.set(key, s);
      }
      return s;
    },
    usage(): Record<string, number> {
      if (!built) return {};
      const all = built.ledger.totals();
      const embed = built.ledger.byStage()[EMBEDDING_STAGE];
      return {
        requests: all.requests - (embed?.requests ?? 0),
        promptTokens: all.promptTokens - (embed?.promptTokens ?? 0),
        completionTokens: all.completionTokens - (embed?.completionTokens ?? 0),
        cachedPromptTokens: all.cachedPromptTokens - (embed?.cachedPromptTokens ?? 0),
        cacheHits: all.cacheHits - (embed?.cacheHits ?? 0),
        costUsd: all.costUsd,
        embedRequests: embed?.requests ?? 0,
        embedTokens: embed?.promptTokens ?? 0,
      };
    },
    async close() {
      for (const s of sources.values()) await (await s.catch(() => null))?.close?.();
      await built?.close();
      const c = await classifier();
      await c.close?.();
    },
  };
}

/** `after − before` of two usage snapshots. */
export function usageDelta(before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}
