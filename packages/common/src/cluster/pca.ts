/**
 * Principal component analysis for large row sets: the d × d covariance is accumulated in one pass over the
 * rows (or a seeded sample of them when d is large), then its leading eigenvectors come from block power
 * iteration. Cost O(n d²) once; projection O(n d k). Seeded, so the same input gives the same components.
 *
 * Wide rows (d > COVARIANCE_MAX_DIMS, e.g. 4096-d served embeddings) never form the covariance (d² doubles,
 * and O(m d²) to fill: minutes at 4096): the components come from subspace iteration on a seeded sample of
 * rows, applying C·X = Sᵀ(S·X)/(m − 1) with S the centred sample (Halko, Martinsson & Tropp 2011, the
 * randomized range finder with power iterations), O(m d k) per iteration. Both that and the projection of the rows
 * are one blocked product (`rowProducts`) split over two threads (`rowProductsPool`): at 125k × 4,196 columns → 32
 * they take 5 + 8 CPU s (19 + 21 with the plain loops they replaced, BENCHMARKS.md "Scale at the served embedder's
 * width").
 */
import { topEigenvectors } from './eigen.js';
import { type Matrix, matrix, type RowSource, rowSource } from './matrix.js';
import { Rng } from './rng.js';
import { rowProductsPool, sharedFloat32 } from './row-products-pool.js';

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
  const wide = d > COVARIANCE_MAX_DIMS;
  const rng = new Rng(o.seed ?? 42);
  const rows = sampleRows(m.rows, o.maxRows ?? (wide ? WIDE_SAMPLE_ROWS : 50000), rng);
  const mean = meanOf(m, rows);
  const fit = (wide ? wideComponents : covarianceComponents)(m, rows, mean, k, rng, o.iterations);
  signConvention(fit.components);
  return { dim: d, mean, ...fit };
}

type Fit = Pick<PcaModel, 'components' | 'variances' | 'totalVariance'>;

function meanOf(m: RowSource, rows: Int32Array): Float64Array {
  const mean = new Float64Array(m.cols);
  for (const i of rows) {
    const r = m.row(i);
    for (let c = 0; c < m.cols; c++) mean[c] += r[c];
  }
  for (let c = 0; c < m.cols; c++) mean[c] /= rows.length;
  return mean;
}

/** The d × d covariance of the sampled rows, then block power iteration on it (60 iterations by default). */
function covarianceComponents(
  m: RowSource,
  rows: Int32Array,
  mean: Float64Array,
  k: number,
  rng: Rng,
  iterations = 60,
): Fit {
  const d = m.cols;
  const n = rows.length;
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
  const components = topEigenvectors(d, k, applyBlock, rng, iterations, []);
  const tmp = new Float64Array(d);
  const variances = components.map((v) => {
    applyBlock(v, tmp, 1);
    let s = 0;
    for (let c = 0; c < d; c++) s += v[c] * tmp[c];
    return s;
  });
  return { components, variances, totalVariance: trace };
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

/**
 * Wide rows: subspace iteration on the centred sample S (see the header); the covariance is never formed.
 * S and Sᵀ are both kept (float32, 2 × m × d × 4 bytes: 138 MB at 4,096 × 4,196) so both halves of
 * C·X = Sᵀ(S·X)/(m − 1) are the same contiguous row-by-row product (`rowProducts`).
 */
function wideComponents(
  m: RowSource,
  rows: Int32Array,
  mean: Float64Array,
  k: number,
  rng: Rng,
  iterations = WIDE_ITERATIONS,
): Fit {
  const d = m.cols;
  const n = rows.length;
  const sample = sharedFloat32(n * d);
  const sampleT = sharedFloat32(d * n);
  let trace = 0;
  rows.forEach((i, s) => {
    const r = m.row(i);
    for (let c = 0; c < d; c++) {
      const v = r[c] - mean[c];
      sample[s * d + c] = v;
      sampleT[c * n + s] = v;
      trace += v * v;
    }
  });
  const block = Math.min(d, n, k + WIDE_OVERSAMPLE);
  const pool = rowProductsPool([sample, sampleT], block * Math.max(d, n), block * Math.max(d, n));
  try {
    const { b, out } = pool;
    // Y = Sᵀ(S·X)/(n − 1), X and Y stored row-major by coordinate (X[c * count + j]) as topEigenvectors keeps
    // them; the right-hand sides go in as rows (Xᵀ, then Tᵀ).
    const applyBlock = (x: Float64Array, y: Float64Array, count: number): void => {
      for (let c = 0; c < d; c++) for (let j = 0; j < count; j++) b[j * d + c] = x[c * count + j];
      pool.run(0, n, count, d);
      for (let s = 0; s < n; s++) for (let j = 0; j < count; j++) b[j * n + s] = out[s * count + j] / (n - 1);
      pool.run(1, d, count, n);
      y.set(out.subarray(0, d * count));
    };
    const components = topEigenvectors(d, block, applyBlock, rng, iterations, []).slice(0, k);
    // Variance along v is |S·v|² / (n − 1): one product for all components.
    components.forEach((v, j) => {
      b.set(v, j * d);
    });
    pool.run(0, n, k, d);
    const variances = components.map((_, j) => {
      let s = 0;
      for (let r = 0; r < n; r++) s += out[r * k + j] * out[r * k + j];
      return s / (n - 1);
    });
    return { components, variances, totalVariance: trace / (n - 1) };
  } finally {
    pool.close();
  }
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

/** Rows gathered per product in the wide projection (4 MB of rows at 4,096 columns). */
const PROJECT_BLOCK_ROWS = 256;

/**
 * Wide rows: x·W − mean·W, blocks of rows gathered into shared memory and multiplied with the k components on
 * two threads (`rowProductsPool`); no centred copy of a row is made. O(n d k), the cost of the wide path: 17 G
 * multiply-adds at 125k × 4,196 × 32.
 */
function projectWide(m: RowSource, model: PcaModel): Matrix {
  const d = m.cols;
  const k = model.components.length;
  const offset = new Float64Array(k);
  const rows = sharedFloat32(PROJECT_BLOCK_ROWS * d);
  const pool = rowProductsPool([rows], k * d, PROJECT_BLOCK_ROWS * k);
  try {
    model.components.forEach((v, j) => {
      pool.b.set(v, j * d);
      for (let c = 0; c < d; c++) offset[j] += model.mean[c] * v[c];
    });
    const out = new Float32Array(m.rows * k);
    for (let i0 = 0; i0 < m.rows; i0 += PROJECT_BLOCK_ROWS) {
      const count = Math.min(PROJECT_BLOCK_ROWS, m.rows - i0);
      for (let r = 0; r < count; r++) rows.set(m.row(i0 + r), r * d);
      pool.run(0, count, k, d);
      for (let r = 0; r < count; r++)
        for (let j = 0; j < k; j++) out[(i0 + r) * k + j] = pool.out[r * k + j] - offset[j];
    }
    return matrix(m.rows, k, out);
  } finally {
    pool.close();
  }
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
