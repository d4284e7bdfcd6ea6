/** Sentence embedders: the offline SIF model on word vectors, and an OpenAI-compatible /v1/embeddings client. */
export { EMBEDDING_STAGE, HttpEmbedder, type HttpEmbedderOptions } from './http-embedder.js';
export { SIF_MODEL_ID, SifEmbedder, type SifOptions } from './sif.js';
export type { Embedder } from './types.js';
export {
  buildWordVectorCache,
  cacheDirFrom,
  ensureWordVectorCache,
  loadWordVectors,
  WORD_VECTORS_PACKAGE,
  type WordVectors,
} from './word-vectors.js';
