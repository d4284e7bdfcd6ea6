/**
 * UMAP-style reduction (McInnes, Healy & Melville 2018), following umap-learn's defaults and formulas:
 * smooth kNN distances → fuzzy simplicial set (fuzzy union) → spectral or PCA initialisation → SGD layout
 * with negative sampling. Seeded, single-threaded, so a given seed always gives the same layout.
 */

import { topEigenvectors } from './eigen.js';
import { type KnnGraph, knn, type Metric } from './knn.js';
import { type LayoutOptions, optimizeLayout } from './layout.js';
import { type Matrix, matrix } from './matrix.js';
import { log2Parts, powDet, powFromLog2 } from './pow.js';
import { Rng } from './rng.js';
import { type SparseGraph, sparseFromTriples } from './sparse.js';

export { type LayoutOptions, optimizeLayout } from './layout.js';

export interface UmapOptions {
  /** Neighbourhood size counting the point itself, as in umap-learn (default 15). */
  nNeighbors?: number;
  nComponents?: number;
  /** Default 0.1 as in umap-learn (BERTopic uses 0.0). */
  minDist?: number;
  spread?: number;
  /** Default: 500 for ≤ 10,000 points, else 200 (umap-learn). */
  nEpochs?: number;
  learningRate?: number;
  negativeSampleRate?: number;
  repulsionStrength?: number;
  localConnectivity?: number;
  setOpMixRatio?: number;
  init?: 'spectral' | 'pca' | 'random';
  /** Block power iterations of the spectral start (default 40). */
  spectralIterations?: number;
  metric?: Metric;
  seed?: number;
  /** A precomputed kNN graph (self excluded); it must have at least nNeighbors − 1 columns. */
  knn?: KnnGraph;
}

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/** Per-point ρ (distance to the nearest neighbour) and σ (bandwidth) so that Σ exp(−(d−ρ)/σ) = log2(k). */
export function smoothKnnDist(
  g: KnnGraph,
  nNeighbors: number,
  localConnectivity = 1,
): { sigmas: Float64Array; rhos: Float64Array } {
  const target = Math.log2(nNeighbors);
  const k = Math.min(g.k, nNeighbors - 1);
  const sigmas = new Float64Array(g.n);
  const rhos = new Float64Array(g.n);
  let meanAll = 0;
  for (let i = 0; i < g.n; i++) for (let j = 0; j < k; j++) meanAll += g.distances[i * g.k + j];
  meanAll /= g.n * k;
  for (let i = 0; i < g.n; i++) {
    const o = i * g.k;
    // ρ: the local_connectivity-th smallest non-zero distance, interpolated as in umap-learn.
    const nonZero: number[] = [];
    for (let j = 0; j < k; j++) if (g.distances[o + j] > 0) nonZero.push(g.distances[o + j]);
    let rho = 0;
    if (nonZero.length >= localConnectivity) {
      const index = Math.floor(localConnectivity);
      const interp = localConnectivity - index;
      if (index > 0) {
        rho = nonZero[index - 1];
        if (interp > SMOOTH_K_TOLERANCE) rho += interp * (nonZero[index] - nonZero[index - 1]);
      } else rho = interp * nonZero[0];
    } else if (nonZero.length > 0) rho = Math.max(...nonZero);
    let lo = 0;
    let hi = Number.POSITIVE_INFINITY;
    let mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        const d = g.distances[o + j] - rho;
        psum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Number.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2;
      }
    }
    let meanI = 0;
    for (let j = 0; j < k; j++) meanI += g.distances[o + j];
    meanI /= k;
    const floor = MIN_K_DIST_SCALE * (rho > 0 ? meanI : meanAll);
    sigmas[i] = Math.max(mid, floor);
    rhos[i] = rho;
  }
  return { sigmas, rhos };
}

/** The fuzzy simplicial set: directed memberships exp(−(d−ρ)/σ), then the fuzzy union A + Aᵀ − A∘Aᵀ. */
export function fuzzySimplicialSet(
  g: KnnGraph,
  nNeighbors: number,
  o: { localConnectivity?: number; setOpMixRatio?: number } = {},
): SparseGraph {
  const mix = o.setOpMixRatio ?? 1;
  const k = Math.min(g.k, nNeighbors - 1);
  const { sigmas, rhos } = smoothKnnDist(g, nNeighbors, o.localConnectivity ?? 1);
  const rows = new Int32Array(g.n * k);
  const cols = new Int32Array(g.n * k);
  const vals = new Float64Array(g.n * k);
  let m = 0;
  for (let i = 0; i < g.n; i++) {
    for (let j = 0; j < k; j++) {
      const col = g.indices[i * g.k + j];
      if (col === i) continue;
      const d = g.distances[i * g.k + j];
      rows[m] = i;
      cols[m] = col;
      vals[m] = d - rhos[i] <= 0 || sigmas[i] === 0 ? 1 : Math.exp(-((d - rhos[i]) / sigmas[i]));
      m++;
    }
  }
  const a = sparseFromTriples(g.n, rows.subarray(0, m), cols.subarray(0, m), vals.subarray(0, m));
  const lookup = (i: number, j: number): number => {
    let lo = a.indptr[i];
    let hi = a.indptr[i + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = a.indices[mid];
      if (c === j) return a.weights[mid];
      if (c < j) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
  // Each stored (i, j) gives the union's value for (i, j), and for (j, i) too when j does not store i.
  const sr = new Int32Array(2 * a.indices.length);
  const sc = new Int32Array(2 * a.indices.length);
  const sv = new Float64Array(2 * a.indices.length);
  let u = 0;
  for (let i = 0; i < g.n; i++) {
    for (let p = a.indptr[i]; p < a.indptr[i + 1]; p++) {
      const j = a.indices[p];
      const v = a.weights[p];
      const back = lookup(j, i);
      const t = Math.max(0, back);
      const s = mix * (v + t - v * t) + (1 - mix) * v * t;
      if (s <= 0) continue;
      sr[u] = i;
      sc[u] = j;
      sv[u] = s;
      u++;
      if (back < 0) {
        sr[u] = j;
        sc[u] = i;
        sv[u] = s;
        u++;
      }
    }
  }
  return sparseFromTriples(g.n, sr.subarray(0, u), sc.subarray(0, u), sv.subarray(0, u));
}

const abCache = new Map<string, { a: number; b: number }>();

/**
 * Fits a, b of 1 / (1 + a·x^(2b)) to the min_dist/spread target curve (umap-learn's find_ab_params). The powers
 * are powDet's, not `**`'s (whose last bit differs between engines), so a and b are the same on every Node.
 */
export function findAbParams(spread: number, minDist: number): { a: number; b: number } {
  const key = `${spread}|${minDist}`;
  const hit = abCache.get(key);
  if (hit) return hit;
  const fit = fitAb(spread, minDist);
  abCache.set(key, fit);
  return fit;
}

function fitAb(spread: number, minDist: number): { a: number; b: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 300; i++) {
    const x = (3 * spread * i) / 299;
    xs.push(x);
    ys.push(x < minDist ? 1 : Math.exp(-(x - minDist) / spread));
  }
  // log2 of each x once; x^(2b) = 2^(2b·log2 x) for each b tried.
  const logHi = new Float64Array(xs.length);
  const logLo = new Float64Array(xs.length);
  for (let i = 1; i < xs.length; i++) [logHi[i], logLo[i]] = log2Parts(xs[i]);
  const pow2b = (i: number, b: number): number =>
    xs[i] === 0 ? powDet(0, 2 * b) : powFromLog2(logHi[i], logLo[i], 2 * b);
  const sse = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) {
      const r = 1 / (1 + a * pow2b(i, b)) - ys[i];
      s += r * r;
    }
    return s;
  };
  // Levenberg–Marquardt from (1, 1), like scipy's curve_fit.
  let a = 1;
  let b = 1;
  let lambda = 1e-3;
  let cur = sse(a, b);
  for (let it = 0; it < 200; it++) {
    let jaa = 0;
    let jab = 0;
    let jbb = 0;
    let ga = 0;
    let gb = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      if (x === 0) continue; // f(0) = 1 = y(0): no residual, no gradient
      const p = pow2b(i, b);
      const den = 1 + a * p;
      const f = 1 / den;
      const r = f - ys[i];
      const da = -p / (den * den);
      const db = (-a * p * 2 * Math.log(x)) / (den * den);
      jaa += da * da;
      jab += da * db;
      jbb += db * db;
      ga += da * r;
      gb += db * r;
    }
    const maa = jaa * (1 + lambda);
    const mbb = jbb * (1 + lambda);
    const det = maa * mbb - jab * jab;
    if (det === 0) break;
    const stepA = -(mbb * ga - jab * gb) / det;
    const stepB = -(-jab * ga + maa * gb) / det;
    const next = sse(a + stepA, b + stepB);
    if (next < cur) {
      a += stepA;
      b += stepB;
      const done = cur - next < 1e-15;
      cur = next;
      lambda /= 10;
      if (done) break;
    } else lambda *= 10;
    if (lambda > 1e12) break;
  }
  return { a, b };
}

/** Scales coordinates so the largest |value| is 10, plus tiny seeded noise (umap-learn's noisy_scale_coords). */
function noisyScale(coords: Float64Array, rng: Rng): void {
  let max = 0;
  for (const v of coords) max = Math.max(max, Math.abs(v));
  const s = max > 0 ? 10 / max : 1;
  for (let i = 0; i < coords.length; i++) coords[i] = coords[i] * s + 1e-4 * rng.normal();
}

/** Eigenvectors of the normalised adjacency D^-½ A D^-½ after the trivial one: Laplacian eigenmaps. */
export function spectralInit(graph: SparseGraph, dim: number, rng: Rng, iterations = 40): Float64Array {
  const n = graph.n;
  const deg = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let p = graph.indptr[i]; p < graph.indptr[i + 1]; p++) deg[i] += graph.weights[p];
  const invSqrt = deg.map((d) => (d > 0 ? 1 / Math.sqrt(d) : 0));
  const trivial = deg.map((d) => Math.sqrt(d));
  const { indptr, indices } = graph;
  // The weights scaled by the column's D^-½ once, so each product is one multiply-add per edge.
  const scaled = new Float64Array(graph.weights.length);
  for (let p = 0; p < scaled.length; p++) scaled[p] = graph.weights[p] * invSqrt[indices[p]];
  // (I + M) / 2 has the same eigenvectors with eigenvalues in [0, 1], so power iteration finds the top ones.
  // One vector of the block at a time, summed in a local: no store inside the innermost loop.
  const apply = (x: Float64Array, y: Float64Array, count: number): void => {
    for (let i = 0; i < n; i++) {
      const start = indptr[i];
      const end = indptr[i + 1];
      const o = i * count;
      for (let c = 0; c < count; c++) {
        let s = 0;
        for (let p = start; p < end; p++) s += scaled[p] * x[indices[p] * count + c];
        y[o + c] = 0.5 * (x[o + c] + invSqrt[i] * s);
      }
    }
  };
  const vecs = topEigenvectors(n, dim, apply, rng, iterations, [trivial]);
  const out = new Float64Array(n * dim);
  for (let c = 0; c < dim; c++) for (let i = 0; i < n; i++) out[i * dim + c] = vecs[c][i];
  noisyScale(out, rng);
  return out;
}

/** Projections on the top principal components of the data. */
export function pcaInit(m: Matrix, dim: number, rng: Rng, iterations = 50): Float64Array {
  const n = m.rows;
  const d = m.cols;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c] += m.data[i * d + c] / n;
  const tmp = new Float64Array(n);
  // Covariance times one vector at a time: the block is small and d is the short side.
  const apply = (x: Float64Array, y: Float64Array, count: number): void => {
    y.fill(0);
    for (let c = 0; c < count; c++) {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += (m.data[i * d + t] - mean[t]) * x[t * count + c];
        tmp[i] = s;
      }
      for (let i = 0; i < n; i++)
        for (let t = 0; t < d; t++) y[t * count + c] += (m.data[i * d + t] - mean[t]) * tmp[i];
    }
  };
  const comps = topEigenvectors(d, Math.min(dim, d), apply, rng, iterations, []);
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < comps.length; c++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += (m.data[i * d + t] - mean[t]) * comps[c][t];
      out[i * dim + c] = s;
    }
  }
  noisyScale(out, rng);
  return out;
}

/** Reduces the rows of `m` to `nComponents` dimensions. Returns an n × nComponents matrix. */
export function umap(m: Matrix, o: UmapOptions = {}): Matrix {
  const n = m.rows;
  const dim = o.nComponents ?? 5;
  const rng = new Rng(o.seed ?? 42);
  if (n <= dim + 1) {
    // Too few points to reduce: keep the leading coordinates.
    const out = new Float32Array(n * dim);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < Math.min(dim, m.cols); c++) out[i * dim + c] = m.data[i * m.cols + c];
    return matrix(n, dim, out);
  }
  const nNeighbors = Math.min(o.nNeighbors ?? 15, n);
  const g = o.knn ?? knn(m, nNeighbors - 1, { metric: o.metric ?? 'cosine' });
  if (g.k < nNeighbors - 1) throw new Error(`umap: the kNN graph has ${g.k} columns, need ${nNeighbors - 1}`);
  const graph = fuzzySimplicialSet(g, nNeighbors, o);
  const nEpochs = o.nEpochs ?? (n <= 10000 ? 500 : 200);
  const init = o.init ?? 'spectral';
  let emb: Float64Array;
  if (init === 'spectral') emb = spectralInit(graph, dim, rng, o.spectralIterations ?? 40);
  else if (init === 'pca') emb = pcaInit(m, dim, rng);
  else emb = Float64Array.from({ length: n * dim }, () => rng.float() * 20 - 10);
  const { a, b } = findAbParams(o.spread ?? 1, o.minDist ?? 0.1);
  optimizeLayout(graph, emb, dim, { nEpochs, a, b, ...pickLayout(o) }, rng);
  return matrix(n, dim, Float32Array.from(emb));
}

function pickLayout(o: UmapOptions): Partial<LayoutOptions> {
  const out: Partial<LayoutOptions> = {};
  if (o.learningRate !== undefined) out.learningRate = o.learningRate;
  if (o.negativeSampleRate !== undefined) out.negativeSampleRate = o.negativeSampleRate;
  if (o.repulsionStrength !== undefined) out.repulsionStrength = o.repulsionStrength;
  return out;
}
