/**
 * The SGD layout loop of src/cluster/layout.ts as it was before it was specialised per output dimension (generic
 * dimension loops, the Rng object for negative samples). Kept for the benchmarks only, so that bench/firm/reduce.ts
 * can time both loops on the same graphs in one process.
 */
import type { LayoutOptions, Rng, SparseGraph } from '@callthemes/common/cluster';

/** SGD over the graph's edges with negative sampling (umap-learn's optimize_layout_euclidean, move_other). */
export function optimizeLayoutBefore(
  graph: SparseGraph,
  embedding: Float64Array,
  dim: number,
  o: LayoutOptions,
  rng: Rng,
): void {
  const n = graph.n;
  const { a, b, nEpochs } = o;
  const gamma = o.repulsionStrength ?? 1;
  const alpha0 = o.learningRate ?? 1;
  const negRate = o.negativeSampleRate ?? 5;
  let wMax = 0;
  for (const w of graph.weights) wMax = Math.max(wMax, w);
  // Edges too weak to be sampled once in nEpochs are dropped, as umap-learn does.
  const heads: number[] = [];
  const tails: number[] = [];
  const eps: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let p = graph.indptr[i]; p < graph.indptr[i + 1]; p++) {
      const w = graph.weights[p];
      if (w < wMax / nEpochs) continue;
      heads.push(i);
      tails.push(graph.indices[p]);
      eps.push(wMax / w);
    }
  }
  const m = heads.length;
  const head = Int32Array.from(heads);
  const tail = Int32Array.from(tails);
  const epochsPerSample = Float64Array.from(eps);
  const epochsPerNeg = epochsPerSample.map((e) => e / negRate);
  const nextSample = Float64Array.from(epochsPerSample);
  const nextNeg = Float64Array.from(epochsPerNeg);
  // umap-learn rescales the initial layout to [0, 10] per axis before optimising.
  for (let c = 0; c < dim; c++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, embedding[i * dim + c]);
      hi = Math.max(hi, embedding[i * dim + c]);
    }
    const span = hi - lo || 1;
    for (let i = 0; i < n; i++) embedding[i * dim + c] = (10 * (embedding[i * dim + c] - lo)) / span;
  }
  const e = embedding;
  // x^b as exp(b·ln x): about twice as fast as Math.pow in V8, and this loop is the whole cost of UMAP.
  for (let epoch = 0; epoch < nEpochs; epoch++) {
    const alpha = alpha0 * (1 - epoch / nEpochs);
    for (let s = 0; s < m; s++) {
      if (nextSample[s] > epoch) continue;
      const j = head[s] * dim;
      const k = tail[s] * dim;
      let d2 = 0;
      for (let d = 0; d < dim; d++) {
        const t = e[j + d] - e[k + d];
        d2 += t * t;
      }
      if (d2 > 0) {
        const pb = Math.exp(b * Math.log(d2));
        const coeff = (-2 * a * b * (pb / d2)) / (a * pb + 1);
        for (let d = 0; d < dim; d++) {
          let g = coeff * (e[j + d] - e[k + d]);
          g = Math.max(-4, Math.min(4, g)) * alpha;
          e[j + d] += g;
          e[k + d] -= g;
        }
      }
      nextSample[s] += epochsPerSample[s];
      const nNeg = Math.floor((epoch - nextNeg[s]) / epochsPerNeg[s]);
      for (let p = 0; p < nNeg; p++) {
        const ko = rng.int(n) * dim;
        if (ko === j) continue;
        let q2 = 0;
        for (let d = 0; d < dim; d++) {
          const t = e[j + d] - e[ko + d];
          q2 += t * t;
        }
        if (q2 <= 0) continue;
        const coeff = (2 * gamma * b) / ((0.001 + q2) * (a * Math.exp(b * Math.log(q2)) + 1));
        for (let d = 0; d < dim; d++) {
          const g = coeff * (e[j + d] - e[ko + d]);
          e[j + d] += Math.max(-4, Math.min(4, g)) * alpha;
        }
      }
      nextNeg[s] += nNeg * epochsPerNeg[s];
    }
  }
}
