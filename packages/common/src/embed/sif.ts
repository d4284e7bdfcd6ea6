/**
 * Offline sentence embeddings by smooth inverse frequency (Arora, Liang & Ma 2017): the mean of the sentence's
 * word vectors weighted a / (a + p(w)), minus its projection on a common direction, then L2-normalised.
 *
 * p(w) comes from the word's frequency rank (the vectors are stored most frequent first) through a
 * Zipf–Mandelbrot law, p(r) ∝ 1 / (r + 2.7). The common direction is fixed, not re-estimated per batch: the
 * SIF-weighted, frequency-weighted mean word vector, which is what the first singular vector of many
 * sentence embeddings converges to (on 13,273 sentences of 40 calls the empirical first singular vector has
 * cosine 0.964 with it and carries 83% of the energy). A fixed direction makes a sentence's vector independent of
 * the batch it is embedded with, so topic centroids of different firms live in one space.
 */
import type { Embedder } from './types.js';
import { loadWordVectors, type WordVectors } from './word-vectors.js';

export const SIF_MODEL_ID = 'sif-wink-sg-100d';

export interface SifOptions {
  /** SIF smoothing constant a (default 1e-3, as in the paper). */
  a?: number;
  /** Remove the common direction (default true). */
  removeCommonComponent?: boolean;
  cacheDir?: string;
}

const WORD_RE = /[a-z0-9]+(?:['’.&-][a-z0-9]+)*/g;
const PART_RE = /[a-z0-9]+/g;

export class SifEmbedder implements Embedder {
  readonly model = SIF_MODEL_ID;
  readonly averagesWords = true;
  readonly dim: number;
  private readonly wv: WordVectors;
  private readonly weights: Float32Array;
  private readonly common: Float32Array;
  private readonly removeCommon: boolean;

  constructor(wv: WordVectors, o: SifOptions = {}) {
    this.wv = wv;
    this.dim = wv.dim;
    const a = o.a ?? 1e-3;
    this.removeCommon = o.removeCommonComponent ?? true;
    const n = wv.words.length;
    let h = 0;
    for (let r = 1; r <= n; r++) h += 1 / (r + 2.7);
    this.weights = new Float32Array(n);
    const common = new Float64Array(this.dim);
    for (let i = 0; i < n; i++) {
      const p = 1 / ((i + 1 + 2.7) * h);
      const w = a / (a + p);
      this.weights[i] = w;
      for (let d = 0; d < this.dim; d++) common[d] += p * w * wv.vectors[i * this.dim + d];
    }
    let norm = 0;
    for (const v of common) norm += v * v;
    norm = Math.sqrt(norm);
    this.common = Float32Array.from(common, (v) => v / norm);
  }

  /** Loads the word vectors (building the binary cache on first use). */
  static load(o: SifOptions = {}): SifEmbedder {
    return new SifEmbedder(loadWordVectors(o.cacheDir), o);
  }

  /** Vocabulary ids of a text's words; unknown compounds fall back to their parts. */
  wordIds(text: string): number[] {
    const ids: number[] = [];
    for (const tok of text.toLowerCase().match(WORD_RE) ?? []) {
      const id = this.wv.index.get(tok);
      if (id !== undefined) {
        ids.push(id);
        continue;
      }
      for (const part of tok.match(PART_RE) ?? []) {
        const pid = this.wv.index.get(part);
        if (pid !== undefined) ids.push(pid);
      }
    }
    return ids;
  }

  /** The SIF weight of a vocabulary id. */
  weightOf(id: number): number {
    return this.weights[id];
  }

  embedOne(text: string): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(dim);
    const ids = this.wordIds(text);
    if (ids.length === 0) return out;
    const acc = new Float64Array(dim);
    for (const id of ids) {
      const w = this.weights[id];
      const o = id * dim;
      for (let d = 0; d < dim; d++) acc[d] += w * this.wv.vectors[o + d];
    }
    if (this.removeCommon) {
      let proj = 0;
      for (let d = 0; d < dim; d++) proj += acc[d] * this.common[d];
      for (let d = 0; d < dim; d++) acc[d] -= proj * this.common[d];
    }
    // Dividing by the word count is skipped: the L2 normalisation below removes any scale.
    let norm = 0;
    for (const v of acc) norm += v * v;
    if (norm === 0) return out;
    const inv = 1 / Math.sqrt(norm);
    for (let d = 0; d < dim; d++) out[d] = acc[d] * inv;
    return out;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}
