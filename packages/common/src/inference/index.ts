/** The Inference port (embed, chat, classify) and its adapters: offline, OpenAI-compatible HTTP, SageMaker async. */
export * from './async-classifier.js';
export * from './async-fetch.js';
export * from './async-invoker.js';
export * from './classify-with-embed.js';
export * from './composed.js';
export * from './create.js';
export * from './errors.js';
export * from './http-inference.js';
export * from './http-settings.js';
export * from './lazy-embedder.js';
export * from './offline-inference.js';
export * from './sagemaker-inference.js';
export * from './schema.js';
export * from './served-models.js';
export * from './spec.js';
export * from './types.js';
