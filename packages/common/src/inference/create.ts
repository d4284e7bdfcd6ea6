/**
 * `CALLTHEMES_INFERENCE` (and the per-kind service settings) → the one Inference adapter of a process:
 * - `offline` (the default): each kind is served over HTTP when its URL setting is set (`llmUrl`, `embedUrl`,
 *   `sentimentUrl`, from the CLI's `--llm-url` … flags or CALLTHEMES_*), and offline otherwise;
 * - `http:<url>`: every kind from that OpenAI-compatible server, unless the kind has a URL of its own;
 * - `sagemaker:<endpoint>`: the SageMaker async endpoint.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { intSetting, settingValue, stringSetting } from '../config/settings.js';
import { EMBEDDING_STAGE } from '../embed/http-embedder.js';
import { SifEmbedder } from '../embed/sif.js';
import { cacheDirFrom } from '../embed/word-vectors.js';
import type { TextStore } from '../llm/cache.js';
import { TokenLedger } from '../llm/ledger.js';
import type { AsyncInvokerOptions } from './async-invoker.js';
import type { ComposedInference } from './composed.js';
import { endpointSignals } from './endpoint-signals.js';
import { createHttpInference } from './http-inference.js';
import { type ServiceFlags, ServiceSettingError, serviceSettingsFrom } from './http-settings.js';
import { createSageMakerInference } from './sagemaker-inference.js';
import { INFERENCE_BUCKET_ENV, INFERENCE_ENV } from './schema.js';
import {
  type ServedModels,
  servedModelsFromSettings,
  THEME_NAMING_STAGE,
  TOPIC_NAMING_STAGE,
} from './served-models.js';
import { type InferenceSpec, parseInferenceSpec } from './spec.js';

export interface InferenceDeps {
  /** Where response caches live (the lake); none when null or absent. */
  store?: TextStore | null;
  ledger?: TokenLedger;
  /** The CLI's service flags (`--llm-url` …); every other setting comes from CALLTHEMES_* or the config file. */
  flags?: ServiceFlags;
  /** Local workers sharing this machine's service limits (each gets 1/share of the requests and tokens). */
  share?: number;
  /** Word-vector cache of the offline embedder. */
  cacheDir?: string;
  /** The offline embedder's loader (a worker shares its own instance: the vectors are ~180 MB). */
  sif?: () => SifEmbedder;
  models?: Partial<ServedModels>;
  /** The async requests/responses bucket (else CALLTHEMES_INFERENCE_BUCKET). */
  bucket?: string;
  /** SDK clients (else built from the environment's standard AWS settings). */
  runtime?: SageMakerRuntimeClient;
  s3?: S3Client;
  /** The async adapter's hooks and limits: onWait (heartbeat), releaseSignal, signals, capacityWaitMs, maxInFlight… */
  async?: Partial<Omit<AsyncInvokerOptions, 'endpointName' | 'bucket' | 'runtime' | 's3'>>;
  log?: (line: string) => void;
}

/** The spec from the environment (`CALLTHEMES_INFERENCE`, default offline). */
export function inferenceSpecFromEnv(env: NodeJS.ProcessEnv = process.env): InferenceSpec {
  return parseInferenceSpec(env[INFERENCE_ENV] || 'offline');
}

/** True when sentences are embedded by the offline SIF model (no served embedder): its vectors are worth preloading. */
export function embedsOffline(spec: InferenceSpec, flags: ServiceFlags = {}): boolean {
  return spec.kind === 'offline' && !stringSetting('embedUrl', flags.embedUrl);
}

export async function createInference(
  spec: InferenceSpec | string,
  deps: InferenceDeps = {},
): Promise<ComposedInference> {
  const s = typeof spec === 'string' ? parseInferenceSpec(spec) : spec;
  const ledger = deps.ledger ?? inferenceLedger();
  if (s.kind !== 'sagemaker') {
    const settings = serviceSettingsFrom(deps.flags, {
      base: s.kind === 'http' ? s.url : undefined,
      share: deps.share,
    });
    const cacheDir = deps.cacheDir ?? cacheDirFrom();
    return createHttpInference(settings, {
      store: deps.store,
      ledger,
      sif: deps.sif ?? (() => SifEmbedder.load({ cacheDir })),
      log: deps.log,
    });
  }
  const bucket = deps.bucket ?? process.env[INFERENCE_BUCKET_ENV];
  if (!bucket)
    throw new Error(`sagemaker:${s.endpoint} needs ${INFERENCE_BUCKET_ENV} (the async requests bucket)`);
  // The endpoint's real capacity signals (instances, per-instance concurrency, running firm tasks), unless given.
  const signals = deps.async?.signals
    ? null
    : endpointSignals({
        endpointName: s.endpoint,
        service: process.env.CALLTHEMES_FIRM_WORKER_SERVICE || undefined,
        perInstance:
          settingValue('inferenceMaxConcurrentPerInstance', undefined) === undefined
            ? undefined
            : intSetting('inferenceMaxConcurrentPerInstance', undefined, 16),
        log: deps.log,
      });
  const inference = createSageMakerInference({
    ...(signals ? { signals: () => signals.read() } : {}),
    ...asyncSettings(),
    ...deps.async,
    endpointName: s.endpoint,
    bucket,
    models: servedModelsFromSettings(deps.models),
    runtime: deps.runtime,
    s3: deps.s3,
    store: deps.store,
    ledger,
    log: deps.log,
  });
  if (!signals) return inference;
  const close = inference.close.bind(inference);
  return Object.assign(inference, {
    close: async () => {
      await close();
      signals.close();
    },
  });
}

/**
 * The async adapter's limits from settings (flag-less: CALLTHEMES_<NAME> or the config file):
 * inferenceMaxInFlight (invocations in flight per worker when the endpoint's signals are unknown; with them the
 * cap is ⌈MaxConcurrentInvocationsPerInstance × max(1, instances) ÷ running firm tasks⌉),
 * inferenceColdStartSeconds, inferenceInvocationTimeoutSeconds, inferenceCapacityWaitSeconds (how long a worker
 * keeps its partition while the endpoint has no instance; 0: forever), inferenceSignalsEverySeconds (how often
 * the endpoint's signals are read; default 30), inferenceMaxConcurrentPerInstance (the endpoint config's, set by
 * the template; else read from DescribeEndpointConfig).
 */
export function asyncSettings(): Partial<AsyncInvokerOptions> {
  const out: Partial<AsyncInvokerOptions> = {};
  const set = (key: string) => settingValue(key, undefined) !== undefined;
  if (set('inferenceMaxInFlight')) out.maxInFlight = intSetting('inferenceMaxInFlight', undefined, 8);
  if (set('inferenceColdStartSeconds'))
    out.coldStartMs = 1000 * intSetting('inferenceColdStartSeconds', undefined, 900, 0);
  if (set('inferenceInvocationTimeoutSeconds'))
    out.invocationTimeoutSeconds = intSetting('inferenceInvocationTimeoutSeconds', undefined, 900);
  if (set('inferenceSignalsEverySeconds'))
    out.signalsEveryMs = 1000 * intSetting('inferenceSignalsEverySeconds', undefined, 30);
  if (set('inferenceCapacityWaitSeconds')) {
    const s = intSetting('inferenceCapacityWaitSeconds', undefined, 1800, 0);
    out.capacityWaitMs = s === 0 ? null : s * 1000;
  }
  return out;
}

/**
 * The token ledger with the price and budget settings (llmPriceInput, llmPriceOutput, llmPriceCachedInput,
 * embedPriceInput in $ per million tokens; llmBudgetUsd, llmBudgetTokens for naming), whatever the adapter.
 * A bad value throws ServiceSettingError.
 */
export function inferenceLedger(): TokenLedger {
  const num = (key: string): number | undefined => {
    const v = settingValue(key, undefined);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(Number.isFinite(n) && n >= 0))
      throw new ServiceSettingError(`invalid ${key} "${String(v)}": expected a number ≥ 0`);
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
