/** Dominant eigenvectors of a symmetric positive semi-definite operator by block power (subspace) iteration. */
import type { Rng } from './rng.js';

/**
 * The `count` leading eigenvectors of a symmetric PSD operator on vectors of length n, orthogonal to the vectors
 * in `deflate`. `applyBlock(X, Y, count)` computes Y = A·X for a block of `count` vectors stored row-major
 * (X[i * count + c]), so one pass over the operator serves every vector. Returns the Ritz vectors of the
 * converged subspace, leading eigenvalue first.
 */
export function topEigenvectors(
  n: number,
  count: number,
  applyBlock: (x: Float64Array, y: Float64Array, count: number) => void,
  rng: Rng,
  iterations: number,
  deflate: readonly Float64Array[],
): Float64Array[] {
  const fixed = deflate.map((v) => {
    const out = Float64Array.from(v);
    normalise(out);
    return out;
  });
  let x = new Float64Array(n * count);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  let y = new Float64Array(n * count);
  const cols = Array.from({ length: count }, () => new Float64Array(n));
  // Gram–Schmidt works on columns; the operator takes the block row-major, so copy across around it.
  const orthonormaliseBlock = (blk: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      const o = i * count;
      for (let c = 0; c < count; c++) cols[c][i] = blk[o + c];
    }
    orthonormalise(cols, fixed);
    for (let i = 0; i < n; i++) {
      const o = i * count;
      for (let c = 0; c < count; c++) blk[o + c] = cols[c][i];
    }
  };
  orthonormaliseBlock(x);
  for (let it = 0; it < iterations; it++) {
    applyBlock(x, y, count);
    const swap = x;
    x = y;
    y = swap;
    orthonormaliseBlock(x);
  }
  // Rayleigh–Ritz on the small block so the vectors come out ordered by eigenvalue.
  applyBlock(x, y, count);
  const h = Array.from({ length: count }, (_, r) =>
    Array.from({ length: count }, (_, c) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i * count + r] * y[i * count + c];
      return s;
    }),
  );
  const { vectors } = jacobiEigen(h);
  return vectors.map((coef) => {
    const v = new Float64Array(n);
    for (let c = 0; c < count; c++) for (let i = 0; i < n; i++) v[i] += coef[c] * x[i * count + c];
    return v;
  });
}

function dotF(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function normalise(v: Float64Array): void {
  const s = Math.sqrt(dotF(v, v));
  if (s > 0) for (let i = 0; i < v.length; i++) v[i] /= s;
}

/** Modified Gram–Schmidt against `fixed` and then within the block (no allocation: it runs every iteration). */
function orthonormalise(block: Float64Array[], fixed: readonly Float64Array[]): void {
  const nFixed = fixed.length;
  for (let c = 0; c < block.length; c++) {
    const v = block[c];
    const n = v.length;
    for (let q = 0; q < nFixed + c; q++) {
      const u = q < nFixed ? fixed[q] : block[q - nFixed];
      let p = 0;
      for (let i = 0; i < n; i++) p += v[i] * u[i];
      for (let i = 0; i < n; i++) v[i] -= p * u[i];
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i] * v[i];
    s = Math.sqrt(s);
    if (s > 1e-12) for (let i = 0; i < n; i++) v[i] /= s;
    else v.fill(0);
  }
}

/** Eigen-decomposition of a small symmetric matrix (cyclic Jacobi); vectors sorted by descending eigenvalue. */
export function jacobiEigen(a: number[][]): { values: number[]; vectors: number[][] } {
  const n = a.length;
  const m = a.map((r) => r.slice());
  const v: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i][j] * m[i][j];
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p];
          const mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k];
          const mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y][y] - m[x][x]);
  return { values: order.map((i) => m[i][i]), vectors: order.map((i) => v.map((row) => row[i])) };
}
