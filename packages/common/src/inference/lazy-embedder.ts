/**
 * Embeddings over an LlmClient that learns its dimension from the first answer instead of a probe request, so
 * creating the SageMaker adapter sends nothing (a probe would wait out a cold start before the worker has a
 * partition to release). `dim` is the configured dimension, else 0 until the first embed returns.
 */

import { EMBEDDING_STAGE } from '../embed/http-embedder.js';
import type { Embedder } from '../embed/types.js';
import type { LlmClient } from '../llm/client.js';
import { InferenceFailedError } from './errors.js';

export class LazyDimEmbedder implements Embedder {
  readonly model: string;
  private dimension: number;

  constructor(
    private readonly client: LlmClient,
    private readonly o: { batchSize?: number; dimensions?: number; cache?: boolean } = {},
  ) {
    this.model = client.model;
    this.dimension = o.dimensions ?? 0;
  }

  get dim(): number {
    return this.dimension;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const size = this.o.batchSize ?? 1024;
    const batches: (readonly string[])[] = [];
    for (let i = 0; i < texts.length; i += size) batches.push(texts.slice(i, i + size));
    const opts = { dimensions: this.o.dimensions, cache: this.o.cache ?? true };
    const rows = (
      await Promise.all(batches.map((b) => this.client.embed(b, { stage: EMBEDDING_STAGE }, opts)))
    ).flat();
    if (rows.length > 0 && this.dimension === 0) this.dimension = rows[0].length;
    for (const r of rows) {
      if (r.length !== this.dimension)
        throw new InferenceFailedError(
          `${this.model}: embedding of length ${r.length}, expected ${this.dimension}`,
        );
      let s = 0;
      for (let i = 0; i < r.length; i++) s += r[i] * r[i];
      if (s > 0) {
        const k = 1 / Math.sqrt(s);
        for (let i = 0; i < r.length; i++) r[i] *= k;
      }
    }
    return rows;
  }
}
