/** Generic OpenAI-compatible client: chat with JSON-schema outputs, embeddings, limits, retries, cache, ledger. */
export * from './cache.js';
export * from './client.js';
export * from './errors.js';
export * from './estimate.js';
export * from './http.js';
export * from './json-output.js';
export * from './ledger.js';
export * from './limiter.js';
export * from './retry.js';
