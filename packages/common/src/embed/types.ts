/** The embedding seam: texts → one Float32Array row per text, all of length `dim`. */
export interface Embedder {
  /** Model id recorded in `topics.embedding_model`. */
  readonly model: string;
  readonly dim: number;
  /**
   * True when a text's vector is a weighted mean of its words' vectors, order-free (SIF): the words every
   * sentence shares weigh as much as its subject, so the firm stage gives such an embedder sentences without
   * their stop words (topics/analyzer.ts embeddingTexts). A contextual model (the served one) reads whole sentences.
   */
  readonly averagesWords?: boolean;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  close?(): Promise<void>;
}
