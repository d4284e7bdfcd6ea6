/** Trustworthiness of an embedding (Venna & Kaski 2001; scikit-learn's sklearn.manifold.trustworthiness). */
import type { Matrix } from '../../src/cluster/matrix.js';

function sqDist(m: Matrix, i: number, j: number): number {
  let s = 0;
  for (let d = 0; d < m.cols; d++) {
    const t = m.data[i * m.cols + d] - m.data[j * m.cols + d];
    s += t * t;
  }
  return s;
}

/** Other points of row i, nearest first (ties by index). */
function order(m: Matrix, i: number): number[] {
  const others = Array.from({ length: m.rows }, (_, j) => j).filter((j) => j !== i);
  const d = others.map((j) => sqDist(m, i, j));
  return others
    .map((j, t) => ({ j, d: d[t] }))
    .sort((x, y) => x.d - y.d || x.j - y.j)
    .map((x) => x.j);
}

/**
 * 1 − 2 / (n k (2n − 3k − 1)) · Σ_i Σ_{j ∈ U_k(i)} (r(i, j) − k), where U_k(i) are the k nearest neighbours of i
 * in the embedding that are not among its k nearest in the input, and r(i, j) is j's rank around i in the input
 * (1 = nearest). 1 means every embedded neighbourhood is a true one.
 */
export function trustworthiness(input: Matrix, embedded: Matrix, k: number): number {
  const n = input.rows;
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    const rank = new Int32Array(n);
    order(input, i).forEach((j, r) => {
      rank[j] = r + 1;
    });
    for (const j of order(embedded, i).slice(0, k)) if (rank[j] > k) penalty += rank[j] - k;
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}
