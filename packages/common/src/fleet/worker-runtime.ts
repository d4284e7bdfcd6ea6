/**
 * What a worker process builds once and keeps across messages: its Inference (from CALLTHEMES_INFERENCE and the
 * per-kind service settings, response caches in the lake), the offline SIF word vectors (~180 MB, from the binary
 * cache; one instance for the offline embedder and the theme stage's keyword vectors), and sources by spec. With
 * K local workers every worker gets 1/K of the configured request, token and concurrency limits, so together
 * they stay within what the services allow.
 */
import { EMBEDDING_STAGE, SifEmbedder } from '../embed/index.js';
import type { ComposedInference } from '../inference/composed.js';
import { createInference, embedsOffline, inferenceSpecFromEnv } from '../inference/create.js';
import type { LakeStore } from '../lake/index.js';
import type { SourceSpec } from '../messages/index.js';
import { namersFor } from '../naming/inference-namers.js';
import type { ThemeNamer, TopicNamer } from '../naming/types.js';
import type { SentimentClassifier } from '../sentiment/index.js';
import { createSource, type TranscriptSource } from '../sources/index.js';

/** What the stages take from the process's Inference. */
export interface WorkerServices {
  topicNamer: TopicNamer;
  themeNamer: ThemeNamer;
  /** The served embedder; null when sentences are embedded offline (the stage takes `sif()`). */
  embedder: ComposedInference['embedder'] | null;
  inference: ComposedInference;
}

export interface WorkerRuntime {
  /** True when sentences are embedded here (SIF), not by a served model: the word vectors are worth preloading. */
  readonly embedsOffline: boolean;
  services(): Promise<WorkerServices>;
  sif(): Promise<SifEmbedder>;
  classifier(): Promise<SentimentClassifier>;
  /** The source of a message's spec, built once per distinct spec. */
  source(spec: SourceSpec): Promise<TranscriptSource>;
  /** Service usage so far (requests, tokens, cost); a message's share is the difference over it. */
  usage(): Record<string, number>;
  close(): Promise<void>;
}

function memo<T>(build: () => T): () => T {
  let p: { v: T } | null = null;
  return () => {
    p ??= { v: build() };
    return p.v;
  };
}

export function workerRuntime(o: { store: LakeStore; cacheDir: string; fleetSize?: number }): WorkerRuntime {
  const spec = inferenceSpecFromEnv();
  const offline = embedsOffline(spec);
  const loadSif = memo(() => SifEmbedder.load({ cacheDir: o.cacheDir }));
  let built: ComposedInference | null = null;
  const services = memo(async (): Promise<WorkerServices> => {
    // The SageMaker and S3 clients load only when the spec names the endpoint.
    const inference = await createInference(spec, {
      store: o.store,
      cacheDir: o.cacheDir,
      sif: loadSif,
      share: o.fleetSize,
    });
    built = inference;
    return { ...namersFor(inference), embedder: offline ? null : inference.embedder, inference };
  });
  const sources = new Map<string, Promise<TranscriptSource>>();
  return {
    embedsOffline: offline,
    services,
    sif: async () => loadSif(),
    classifier: async () => (await services()).inference.classifier,
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
    },
  };
}

/** `after − before` of two usage snapshots. */
export function usageDelta(before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}
