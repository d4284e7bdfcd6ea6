/** Dense row-major float matrices: the one vector container every numeric step takes. */

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** rows × cols values, row after row. */
  readonly data: Float32Array;
}

export function matrix(rows: number, cols: number, data?: Float32Array): Matrix {
  const d = data ?? new Float32Array(rows * cols);
  if (d.length !== rows * cols) throw new Error(`matrix: expected ${rows * cols} values, got ${d.length}`);
  return { rows, cols, data: d };
}

export function matrixFromRows(rows: readonly ArrayLike<number>[], cols?: number): Matrix {
  const c = cols ?? (rows.length > 0 ? rows[0].length : 0);
  const out = new Float32Array(rows.length * c);
  rows.forEach((r, i) => {
    if (r.length !== c) throw new Error(`matrixFromRows: row ${i} has ${r.length} values, expected ${c}`);
    out.set(r, i * c);
  });
  return { rows: rows.length, cols: c, data: out };
}

/**
 * Rows read one at a time: a matrix's views, or rows computed on demand so a wide matrix never has to exist
 * whole. `row(i)` may return a scratch buffer that the next call overwrites: use it before asking again.
 */
export interface RowSource {
  readonly rows: number;
  readonly cols: number;
  row(i: number): Float32Array;
}

export function rowSource(m: Matrix): RowSource {
  return { rows: m.rows, cols: m.cols, row: (i) => m.data.subarray(i * m.cols, (i + 1) * m.cols) };
}

/**
 * The rows minus their mean, each scaled to unit length (rows equal to the mean stay zero): cosine between
 * these is the similarity of the rows' deviations from what they all share. One pass for the mean, then rows
 * on demand.
 */
export function centredUnitRows(src: RowSource): RowSource {
  const mean = new Float64Array(src.cols);
  for (let i = 0; i < src.rows; i++) {
    const r = src.row(i);
    for (let c = 0; c < src.cols; c++) mean[c] += r[c];
  }
  for (let c = 0; c < src.cols; c++) mean[c] /= Math.max(1, src.rows);
  const out = new Float32Array(src.cols);
  return {
    rows: src.rows,
    cols: src.cols,
    row(i) {
      const r = src.row(i);
      let s = 0;
      for (let c = 0; c < src.cols; c++) {
        const v = r[c] - mean[c];
        out[c] = v;
        s += v * v;
      }
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let c = 0; c < src.cols; c++) out[c] *= inv;
      return out;
    },
  };
}

/** Every row of a source copied into one matrix. */
export function materialize(src: RowSource): Matrix {
  const out = new Float32Array(src.rows * src.cols);
  for (let i = 0; i < src.rows; i++) out.set(src.row(i), i * src.cols);
  return { rows: src.rows, cols: src.cols, data: out };
}

/** A view of row i (no copy). */
export function rowOf(m: Matrix, i: number): Float32Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

/** A copy with every row scaled to unit L2 norm (zero rows stay zero). */
export function normalizeRows(m: Matrix): Matrix {
  const out = new Float32Array(m.data);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    const o = i * m.cols;
    for (let d = 0; d < m.cols; d++) s += out[o + d] * out[o + d];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let d = 0; d < m.cols; d++) out[o + d] *= inv;
    }
  }
  return { rows: m.rows, cols: m.cols, data: out };
}

/** The rows listed in `indices`, copied into a new matrix. */
export function selectRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float32Array(indices.length * m.cols);
  for (let r = 0; r < indices.length; r++) out.set(rowOf(m, indices[r]), r * m.cols);
  return { rows: indices.length, cols: m.cols, data: out };
}

/** Mean of the listed rows (all rows when `indices` is omitted). */
export function meanRow(m: Matrix, indices?: ArrayLike<number>): Float32Array {
  const out = new Float64Array(m.cols);
  const n = indices ? indices.length : m.rows;
  for (let r = 0; r < n; r++) {
    const o = (indices ? indices[r] : r) * m.cols;
    for (let d = 0; d < m.cols; d++) out[d] += m.data[o + d];
  }
  const res = new Float32Array(m.cols);
  if (n > 0) for (let d = 0; d < m.cols; d++) res[d] = out[d] / n;
  return res;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) s += a[d] * b[d];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** Cosine similarity; 0 when either vector is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = norm(a);
  const nb = norm(b);
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}

/** Distance between rows i and j of row-major data: cosine (1 − dot, rows already unit length) or Euclidean. */
export function pairDistance(
  x: Float32Array,
  dim: number,
  i: number,
  j: number,
  metric: 'cosine' | 'euclidean',
): number {
  let s = 0;
  const oi = i * dim;
  const oj = j * dim;
  if (metric === 'cosine') {
    for (let d = 0; d < dim; d++) s += x[oi + d] * x[oj + d];
    return Math.max(0, 1 - s);
  }
  for (let d = 0; d < dim; d++) {
    const t = x[oi + d] - x[oj + d];
    s += t * t;
  }
  return Math.sqrt(s);
}
