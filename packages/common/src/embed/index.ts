/** Sentence embedders: the offline SIF model on word vectors, and an OpenAI-compatible /v1/embeddings client. */
export * from './http-embedder.js';
export * from './sif.js';
export * from './types.js';
export * from './word-vectors.js';
