/**
 * Principal component analysis for large row sets: the d × d covariance is accumulated in one pass over the
 * rows (or a seeded sample of them when d is large), then its leading eigenvectors come from block power
 * iteration. Cost O(n d²) once; projection O(n d k). Seeded, so the same input gives the same components.
 *
 * Wide rows (d > COVARIANCE_MAX_DIMS, e.g. 4096-d served embeddings) never form the covariance (d² doubles,
 * and O(m d²) to fill: minutes at 4096): the components come from subspace iteration on a seeded sample of
 * rows, applying C·X = Sᵀ(S·X)/(m − 1) with S the centred sample (Halko, Martinsson & Tropp 2011, the
 * randomized range finder with power iterations), O(m d k) per iteration.
 */
import { topEigenvectors } from './eigen.js';
import { type Matrix, matrix, type RowSource, rowSource } from './matrix.js';
import { Rng } from './rng.js';

/** Above this many columns the covariance is not formed (see the header). */
export const COVARIANCE_MAX_DIMS = 512;
/** Wide rows: sampled rows, extra block vectors and power iterations of the subspace iteration. */
const WIDE_SAMPLE_ROWS = 4096;
const WIDE_OVERSAMPLE = 8;
const WIDE_ITERATIONS = 6;

export interface PcaModel {
  readonly dim: number;
  readonly mean: Float64Array;
  /** k unit vectors of length dim, leading direction first. */
  readonly components: Float64Array[];
  /** Variance along each component. */
  readonly variances: number[];
  /** Total variance of the input (trace of the covariance). */
  readonly totalVariance: number;
}

export interface PcaOptions {
  seed?: number;
  /** Rows used for the covariance; more rows are sampled without replacement (default: all up to 50,000). */
  maxRows?: number;
  /** Power iterations (default 60). */
  iterations?: number;
}

export function fitPca(input: Matrix | RowSource, nComponents: number, o: PcaOptions = {}): PcaModel {
  const m = 'data' in input ? rowSource(input) : input;
  const d = m.cols;
  const k = Math.min(nComponents, d);
  if (k < 1) throw new Error(`pca: nComponents must be ≥ 1, got ${nComponents}`);
  if (m.rows < 2) throw new Error(`pca: needs at least 2 rows, got ${m.rows}`);
  if (d > COVARIANCE_MAX_DIMS) return fitWidePca(m, k, o);
  const rng = new Rng(o.seed ?? 42);
  const rows = sampleRows(m.rows, o.maxRows ?? 50000, rng);
  const n = rows.length;
  const mean = new Float64Array(d);
  for (const i of rows) {
    const r = m.row(i);
    for (let c = 0; c < d; c++) mean[c] += r[c];
  }
  for (let c = 0; c < d; c++) mean[c] /= n;
  // Upper triangle of the covariance, filled symmetric afterwards.
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (const i of rows) {
    const r = m.row(i);
    for (let c = 0; c < d; c++) centred[c] = r[c] - mean[c];
    for (let a = 0; a < d; a++) {
      const va = centred[a];
      if (va === 0) continue;
      const ra = a * d;
      for (let b = a; b < d; b++) cov[ra + b] += va * centred[b];
    }
  }
  let trace = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b] / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
    trace += cov[a * d + a];
  }
  // Y = C·X for a block of vectors stored row-major (X[a * count + c]), as topEigenvectors passes them.
  const applyBlock = (x: Float64Array, y: Float64Array, count: number): void => {
    y.fill(0);
    for (let a = 0; a < d; a++) {
      const ra = a * d;
      for (let b = 0; b < d; b++) {
        const cab = cov[ra + b];
        if (cab === 0) continue;
        for (let c = 0; c < count; c++) y[a * count + c] += cab * x[b * count + c];
      }
    }
  };
  const components = topEigenvectors(d, k, applyBlock, rng, o.iterations ?? 60, []);
  const tmp = new Float64Array(d);
  const variances = components.map((v) => {
    applyBlock(v, tmp, 1);
    let s = 0;
    for (let c = 0; c < d; c++) s += v[c] * tmp[c];
    return s;
  });
  signConvention(components);
  return { dim: d, mean, components, variances, totalVariance: trace };
}

/** A sign convention (largest |coordinate| positive) so components do not flip between equal runs. */
function signConvention(components: Float64Array[]): void {
  for (const v of components) {
    const d = v.length;
    let best = 0;
    for (let c = 1; c < d; c++) if (Math.abs(v[c]) > Math.abs(v[best])) best = c;
    if (v[best] < 0) for (let c = 0; c < d; c++) v[c] = -v[c];
  }
}

/** Wide rows: subspace iteration on a centred sample (see the header); the covariance is never formed. */
function fitWidePca(m: RowSource, k: number, o: PcaOptions): PcaModel {
  const d = m.cols;
  const rng = new Rng(o.seed ?? 42);
  const rows = sampleRows(m.rows, o.maxRows ?? WIDE_SAMPLE_ROWS, rng);
  const n = rows.length;
  const mean = new Float64Array(d);
  for (const i of rows) {
    const r = m.row(i);
    for (let c = 0; c < d; c++) mean[c] += r[c];
  }
  for (let c = 0; c < d; c++) mean[c] /= n;
  const sample = new Float32Array(n * d);
  let trace = 0;
  rows.forEach((i, s) => {
    const r = m.row(i);
    for (let c = 0; c < d; c++) {
      const v = r[c] - mean[c];
      sample[s * d + c] = v;
      trace += v * v;
    }
  });
  trace /= n - 1;
  const block = Math.min(d, n, k + WIDE_OVERSAMPLE);
  let t = new Float64Array(n * block);
  // Y = Sᵀ(S·X)/(n − 1) for a block stored row-major by coordinate (X[c * count + j]).
  const applyBlock = (x: Float64Array, y: Float64Array, count: number): void => {
    if (t.length < n * count) t = new Float64Array(n * count);
    t.fill(0, 0, n * count);
    for (let s = 0; s < n; s++) {
      const o2 = s * d;
      const ts = s * count;
      for (let c = 0; c < d; c++) {
        const v = sample[o2 + c];
        if (v === 0) continue;
        const xc = c * count;
        for (let j = 0; j < count; j++) t[ts + j] += v * x[xc + j];
      }
    }
    y.fill(0, 0, d * count);
    for (let s = 0; s < n; s++) {
      const o2 = s * d;
      const ts = s * count;
      for (let c = 0; c < d; c++) {
        const v = sample[o2 + c] / (n - 1);
        if (v === 0) continue;
        const yc = c * count;
        for (let j = 0; j < count; j++) y[yc + j] += v * t[ts + j];
      }
    }
  };
  const components = topEigenvectors(d, block, applyBlock, rng, o.iterations ?? WIDE_ITERATIONS, []).slice(
    0,
    k,
  );
  const tmp = new Float64Array(d);
  const variances = components.map((v) => {
    applyBlock(v, tmp, 1);
    let s = 0;
    for (let c = 0; c < d; c++) s += v[c] * tmp[c];
    return s;
  });
  signConvention(components);
  return { dim: d, mean, components, variances, totalVariance: trace };
}

/** Coordinates of each row on the model's components (rows centred on the model's mean). */
export function projectPca(input: Matrix | RowSource, model: PcaModel): Matrix {
  const m = 'data' in input ? rowSource(input) : input;
  if (m.cols !== model.dim) throw new Error(`pca: model has ${model.dim} dimensions, rows have ${m.cols}`);
  const d = m.cols;
  const k = model.components.length;
  if (d > COVARIANCE_MAX_DIMS) return projectWide(m, model);
  const out = new Float32Array(m.rows * k);
  const centred = new Float64Array(d);
  for (let i = 0; i < m.rows; i++) {
    const r = m.row(i);
    for (let c = 0; c < d; c++) centred[c] = r[c] - model.mean[c];
    for (let j = 0; j < k; j++) {
      const v = model.components[j];
      let s = 0;
      for (let c = 0; c < d; c++) s += centred[c] * v[c];
      out[i * k + j] = s;
    }
  }
  return matrix(m.rows, k, out);
}

/**
 * Wide rows: x·W − mean·W with W the d × k components laid out by coordinate, so the inner loop runs over k
 * contiguous weights and no centred copy of the row is made (O(n d k), the cost of the wide path).
 */
function projectWide(m: RowSource, model: PcaModel): Matrix {
  const d = m.cols;
  const k = model.components.length;
  const w = new Float64Array(d * k);
  const offset = new Float64Array(k);
  model.components.forEach((v, j) => {
    for (let c = 0; c < d; c++) {
      w[c * k + j] = v[c];
      offset[j] += model.mean[c] * v[c];
    }
  });
  const out = new Float32Array(m.rows * k);
  const acc = new Float64Array(k);
  for (let i = 0; i < m.rows; i++) {
    const r = m.row(i);
    acc.fill(0);
    for (let c = 0; c < d; c++) {
      const v = r[c];
      if (v === 0) continue;
      const wc = c * k;
      for (let j = 0; j < k; j++) acc[j] += v * w[wc + j];
    }
    for (let j = 0; j < k; j++) out[i * k + j] = acc[j] - offset[j];
  }
  return matrix(m.rows, k, out);
}

/** All row indices when n ≤ max, else a seeded sample of `max` of them in ascending order. */
function sampleRows(n: number, max: number, rng: Rng): Int32Array {
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.subarray(0, max).sort();
}
