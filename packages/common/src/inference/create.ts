/** `CALLTHEMES_INFERENCE` → an Inference adapter. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { intSetting, secretFromEnv, settingValue, stringSetting } from '../config/settings.js';
import { EMBEDDING_STAGE } from '../embed/http-embedder.js';
import type { TextStore } from '../llm/cache.js';
import { TokenLedger } from '../llm/ledger.js';
import { THEME_NAMING_STAGE } from '../naming/llm-theme-namer.js';
import { TOPIC_NAMING_STAGE } from '../naming/llm-topic-namer.js';
import type { AsyncInvokerOptions } from './async-invoker.js';
import type { ComposedInference } from './composed.js';
import { createHttpInference } from './http-inference.js';
import { createOfflineInference } from './offline-inference.js';
import { createSageMakerInference } from './sagemaker-inference.js';
import { INFERENCE_BUCKET_ENV, INFERENCE_ENV } from './schema.js';
import { type ServedModels, servedModelsFromSettings } from './served-models.js';
import { type InferenceSpec, parseInferenceSpec } from './spec.js';

export interface InferenceDeps {
  /** Where response caches live (the lake); none when null or absent. */
  store?: TextStore | null;
  ledger?: TokenLedger;
  /** Word-vector cache of the offline embedder. */
  cacheDir?: string;
  models?: Partial<ServedModels>;
  /** The async requests/responses bucket (else CALLTHEMES_INFERENCE_BUCKET). */
  bucket?: string;
  /** SDK clients (else built from the environment's standard AWS settings). */
  runtime?: SageMakerRuntimeClient;
  s3?: S3Client;
  /** The async adapter's hooks and limits: onWait (heartbeat), releaseSignal, scalingAfterMs, maxInFlight… */
  async?: Partial<Omit<AsyncInvokerOptions, 'endpointName' | 'bucket' | 'runtime' | 's3'>>;
  log?: (line: string) => void;
}

/** The spec from the environment (`CALLTHEMES_INFERENCE`, default offline). */
export function inferenceSpecFromEnv(env: NodeJS.ProcessEnv = process.env): InferenceSpec {
  return parseInferenceSpec(env[INFERENCE_ENV] || 'offline');
}

export async function createInference(
  spec: InferenceSpec | string,
  deps: InferenceDeps = {},
): Promise<ComposedInference> {
  const s = typeof spec === 'string' ? parseInferenceSpec(spec) : spec;
  if (s.kind === 'offline') return createOfflineInference({ cacheDir: deps.cacheDir, ledger: deps.ledger });
  const models = servedModelsFromSettings(deps.models);
  deps = { ...deps, ledger: deps.ledger ?? inferenceLedger() };
  if (s.kind === 'http')
    return createHttpInference({
      url: s.url,
      // vLLM serves one model per server: today's per-service URL settings point a kind elsewhere.
      urls: {
        chat: stringSetting('llmUrl', undefined),
        embed: stringSetting('embedUrl', undefined),
        classify: stringSetting('sentimentUrl', undefined),
      },
      models,
      apiKey: secretFromEnv('CALLTHEMES_LLM_API_KEY') ?? secretFromEnv('OPENAI_API_KEY'),
      store: deps.store,
      ledger: deps.ledger,
      log: deps.log,
    });
  const bucket = deps.bucket ?? process.env[INFERENCE_BUCKET_ENV];
  if (!bucket)
    throw new Error(`sagemaker:${s.endpoint} needs ${INFERENCE_BUCKET_ENV} (the async requests bucket)`);
  return createSageMakerInference({
    ...asyncSettings(),
    ...deps.async,
    endpointName: s.endpoint,
    bucket,
    models,
    runtime: deps.runtime,
    s3: deps.s3,
    store: deps.store,
    ledger: deps.ledger,
    log: deps.log,
  });
}

/**
 * The async adapter's limits from settings (flag-less: CALLTHEMES_<NAME> or the config file):
 * inferenceMaxInFlight (invocations in flight per worker; the fleet's bound is this × the firm service's max
 * tasks), inferenceColdStartSeconds, inferenceInvocationTimeoutSeconds, inferenceScalingAfterSeconds (0: never).
 */
export function asyncSettings(): Partial<AsyncInvokerOptions> {
  const out: Partial<AsyncInvokerOptions> = {};
  const set = (key: string) => settingValue(key, undefined) !== undefined;
  if (set('inferenceMaxInFlight')) out.maxInFlight = intSetting('inferenceMaxInFlight', undefined, 8);
  if (set('inferenceColdStartSeconds'))
    out.coldStartMs = 1000 * intSetting('inferenceColdStartSeconds', undefined, 900, 0);
  if (set('inferenceInvocationTimeoutSeconds'))
    out.invocationTimeoutSeconds = intSetting('inferenceInvocationTimeoutSeconds', undefined, 900);
  if (set('inferenceScalingAfterSeconds')) {
    const s = intSetting('inferenceScalingAfterSeconds', undefined, 180, 0);
    out.scalingAfterMs = s === 0 ? null : s * 1000;
  }
  return out;
}

/**
 * The token ledger with today's prices and budget settings (llmPriceInput, llmPriceOutput, llmPriceCachedInput,
 * embedPriceInput in $ per million tokens; llmBudgetUsd, llmBudgetTokens for naming), whatever the adapter.
 */
export function inferenceLedger(): TokenLedger {
  const num = (key: string): number | undefined => {
    const v = settingValue(key, undefined);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(Number.isFinite(n) && n >= 0))
      throw new Error(`invalid ${key} "${String(v)}": expected a number ≥ 0`);
    return n;
  };
  return new TokenLedger(
    {
      inputPerMillion: num('llmPriceInput') ?? 0,
      outputPerMillion: num('llmPriceOutput') ?? 0,
      cachedInputPerMillion: num('llmPriceCachedInput'),
    },
    {
      maxCostUsd: num('llmBudgetUsd'),
      maxTokens: num('llmBudgetTokens'),
      stages: [TOPIC_NAMING_STAGE, THEME_NAMING_STAGE],
    },
    { [EMBEDDING_STAGE]: { inputPerMillion: num('embedPriceInput') ?? 0, outputPerMillion: 0 } },
  );
}
