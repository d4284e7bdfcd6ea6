/** The embedding seam: texts → one Float32Array row per text, all of length `dim`. */
export interface Embedder {
  /** Model id recorded in `topics.embedding_model`. */
  readonly model: string;
  readonly dim: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  close?(): Promise<void>;
}
