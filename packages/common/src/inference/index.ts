/** The Inference port (embed, chat, classify) and its adapters: offline, OpenAI-compatible HTTP, SageMaker async. */
export { AsyncClassifier } from './async-classifier.js';
export { asyncFetch } from './async-fetch.js';
export {
  AsyncInvoker,
  type AsyncInvokerOptions,
  type InvokerStats,
  type WaitEvent,
} from './async-invoker.js';
export { classifyWithEmbed } from './classify-with-embed.js';
export { ComposedInference, type InferenceParts } from './composed.js';
export {
  asyncSettings,
  createInference,
  embedsOffline,
  type InferenceDeps,
  inferenceLedger,
  inferenceSpecFromEnv,
} from './create.js';
export {
  type EndpointSignals,
  type EndpointSignalsOptions,
  endpointSignals,
  inFlightCap,
} from './endpoint-signals.js';
export {
  EndpointScalingError,
  InferenceFailedError,
  InferenceTimeoutError,
  InferenceUnsupportedError,
  releasesPartition,
} from './errors.js';
export { classifierFor, createHttpInference, type HttpInferenceDeps } from './http-inference.js';
export {
  type ClassifySettings,
  classifySettingsFrom,
  type EmbedSettings,
  type LlmSettings,
  parseLabelMap,
  SENTIMENT_API_KEY_ENV,
  type ServiceEndpoint,
  type ServiceFlags,
  ServiceSettingError,
  type ServiceSettings,
  serviceSettingsFrom,
} from './http-settings.js';
export { LazyDimEmbedder } from './lazy-embedder.js';
export { createOfflineInference, offlineEmbedder } from './offline-inference.js';
export { createSageMakerInference, type SageMakerInferenceOptions } from './sagemaker-inference.js';
export {
  INFERENCE_BUCKET_ENV,
  INFERENCE_ENV,
  INFERENCE_KINDS,
  INFERENCE_PREFIXES,
  INVOCATION_VERSION,
  type InferenceKind,
  type InvocationRequest,
  type InvocationResponse,
  invocationJsonSchema,
  invocationRequestSchema,
  invocationResponseSchema,
  type SubRequest,
  type SubResponse,
  subRequestSchema,
  subResponseSchema,
  UPSTREAM_PATHS,
} from './schema.js';
export {
  DEFAULT_CHAT_MODEL,
  DEFAULT_EMBED_MODEL,
  DEFAULT_SENTIMENT_MODEL,
  SENTIMENT_STAGE,
  type ServedModels,
  servedModelsFromSettings,
  THEME_NAMING_STAGE,
  TOPIC_NAMING_STAGE,
} from './served-models.js';
export { formatInferenceSpec, type InferenceSpec, parseInferenceSpec } from './spec.js';
export type { Inference, InferenceModels } from './types.js';
