/** Compressed sparse rows: the weighted graphs passed between the kNN, UMAP and clustering steps. */

export interface SparseGraph {
  readonly n: number;
  /** n + 1 offsets into `indices` / `weights`. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly weights: Float64Array;
}

/** Builds CSR from (row, col, weight) triples; duplicates are summed, columns sorted within a row. */
export function sparseFromTriples(
  n: number,
  rows: ArrayLike<number>,
  cols: ArrayLike<number>,
  weights: ArrayLike<number>,
): SparseGraph {
  const counts = new Int32Array(n + 1);
  for (let e = 0; e < rows.length; e++) counts[rows[e] + 1]++;
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
  const fill = counts.slice(0, n);
  const idx = new Int32Array(rows.length);
  const w = new Float64Array(rows.length);
  for (let e = 0; e < rows.length; e++) {
    const p = fill[rows[e]]++;
    idx[p] = cols[e];
    w[p] = weights[e];
  }
  // Sort each row by column (insertion sort: rows are short; a long row falls back to Array.sort) and merge
  // duplicates.
  const indptr = new Int32Array(n + 1);
  const outIdx = new Int32Array(rows.length);
  const outW = new Float64Array(rows.length);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    const start = counts[i];
    const end = counts[i + 1];
    if (end - start > 64) {
      const order = Array.from({ length: end - start }, (_, t) => start + t).sort((a, b) => idx[a] - idx[b]);
      const ci = order.map((p) => idx[p]);
      const cw = order.map((p) => w[p]);
      idx.set(ci, start);
      w.set(cw, start);
    } else {
      for (let p = start + 1; p < end; p++) {
        const c = idx[p];
        const v = w[p];
        let q = p - 1;
        for (; q >= start && idx[q] > c; q--) {
          idx[q + 1] = idx[q];
          w[q + 1] = w[q];
        }
        idx[q + 1] = c;
        w[q + 1] = v;
      }
    }
    let last = -1;
    for (let p = start; p < end; p++) {
      if (idx[p] === last) outW[nnz - 1] += w[p];
      else {
        outIdx[nnz] = idx[p];
        outW[nnz] = w[p];
        nnz++;
        last = idx[p];
      }
    }
    indptr[i + 1] = nnz;
  }
  return { n, indptr, indices: outIdx.slice(0, nnz), weights: outW.slice(0, nnz) };
}
