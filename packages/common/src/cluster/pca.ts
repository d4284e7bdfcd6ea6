/**
 * Principal component analysis for large row sets: the d × d covariance is accumulated in one pass over the
 * rows (or a seeded sample of them when d is large), then its leading eigenvectors come from block power
 * iteration. Cost O(n d²) once; projection O(n d k). Seeded, so the same input gives the same components.
 */
import { topEigenvectors } from './eigen.js';
import { type Matrix, matrix } from './matrix.js';
import { Rng } from './rng.js';

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

export function fitPca(m: Matrix, nComponents: number, o: PcaOptions = {}): PcaModel {
  const d = m.cols;
  const k = Math.min(nComponents, d);
  if (k < 1) throw new Error(`pca: nComponents must be ≥ 1, got ${nComponents}`);
  if (m.rows < 2) throw new Error(`pca: needs at least 2 rows, got ${m.rows}`);
  const rng = new Rng(o.seed ?? 42);
  const rows = sampleRows(m.rows, o.maxRows ?? 50000, rng);
  const n = rows.length;
  const mean = new Float64Array(d);
  for (const i of rows) for (let c = 0; c < d; c++) mean[c] += m.data[i * d + c];
  for (let c = 0; c < d; c++) mean[c] /= n;
  // Upper triangle of the covariance, filled symmetric afterwards.
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (const i of rows) {
    const o2 = i * d;
    for (let c = 0; c < d; c++) centred[c] = m.data[o2 + c] - mean[c];
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
  // A sign convention (largest |coordinate| positive) so components do not flip between equal runs.
  for (const v of components) {
    let best = 0;
    for (let c = 1; c < d; c++) if (Math.abs(v[c]) > Math.abs(v[best])) best = c;
    if (v[best] < 0) for (let c = 0; c < d; c++) v[c] = -v[c];
  }
  return { dim: d, mean, components, variances, totalVariance: trace };
}

/** Coordinates of each row on the model's components (rows centred on the model's mean). */
export function projectPca(m: Matrix, model: PcaModel): Matrix {
  if (m.cols !== model.dim) throw new Error(`pca: model has ${model.dim} dimensions, rows have ${m.cols}`);
  const d = m.cols;
  const k = model.components.length;
  const out = new Float32Array(m.rows * k);
  const centred = new Float64Array(d);
  for (let i = 0; i < m.rows; i++) {
    for (let c = 0; c < d; c++) centred[c] = m.data[i * d + c] - model.mean[c];
    for (let j = 0; j < k; j++) {
      const v = model.components[j];
      let s = 0;
      for (let c = 0; c < d; c++) s += centred[c] * v[c];
      out[i * k + j] = s;
    }
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
