/**
 * The served embedder: an OpenAI-compatible `/v1/embeddings` endpoint (vLLM or text-embeddings-inference
 * serving e.g. Qwen3-Embedding-8B) behind the llm client's limiter, retries, cache and ledger.
 * Inputs go in batches; the dimension is read from the service's first answer.
 */
import type { LlmClient } from '../llm/client.js';
import type { Embedder } from './types.js';

export const EMBEDDING_STAGE = 'embedding';

export interface HttpEmbedderOptions {
  client: LlmClient;
  /** Texts per request. */
  batchSize?: number;
  /** Output dimension for models that can shorten their vectors (Matryoshka); the model's own when absent. */
  dimensions?: number;
  /** Scale rows to unit length (cosine = dot product downstream). */
  normalize?: boolean;
  /** Keep answers in the response cache (large: 4 bytes × dim per text). */
  cache?: boolean;
}

export class HttpEmbedder implements Embedder {
  readonly model: string;
  private dimension = 0;
  private readonly batchSize: number;
  private readonly normalize: boolean;

  private constructor(private readonly o: HttpEmbedderOptions) {
    this.model = o.client.model;
    this.batchSize = o.batchSize ?? 64;
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0))
      throw new Error(`embedding batch size must be a positive integer, got ${o.batchSize}`);
    this.normalize = o.normalize ?? true;
  }

  /** Connects and learns the dimension from one probe request (answered from the cache on re-runs). */
  static async open(o: HttpEmbedderOptions): Promise<HttpEmbedder> {
    const e = new HttpEmbedder(o);
    const [probe] = await o.client.embed(['dimension probe'], { stage: EMBEDDING_STAGE }, e.requestOptions());
    e.dimension = probe.length;
    return e;
  }

  get dim(): number {
    return this.dimension;
  }

  private requestOptions() {
    return { dimensions: this.o.dimensions, cache: this.o.cache ?? true };
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const batches: (readonly string[])[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) batches.push(texts.slice(i, i + this.batchSize));
    // All batches are submitted at once; the client's limiter bounds what is in flight.
    const results = await Promise.all(
      batches.map((b) => this.o.client.embed(b, { stage: EMBEDDING_STAGE }, this.requestOptions())),
    );
    const rows = results.flat();
    for (const r of rows) {
      if (r.length !== this.dimension)
        throw new Error(`${this.model}: embedding of length ${r.length}, expected ${this.dimension}`);
      if (this.normalize) unitLength(r);
    }
    return rows;
  }

  async close(): Promise<void> {
    await this.o.client.close();
  }
}

function unitLength(v: Float32Array): void {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  if (s === 0) return;
  const k = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] *= k;
}
