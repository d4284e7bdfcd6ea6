/**
 * A reusable nearest-neighbour searcher over the rows of a matrix: exact brute force for small inputs,
 * usearch's HNSW index for large ones. Unlike `knn`, the index stays available for further queries (e.g. to
 * find edges between the components of a kNN graph). Results exclude the query point itself and are sorted by
 * ascending distance, ties by index.
 */
import { Index, MetricKind } from 'usearch';
import { copyHits, type KnnGraph, type KnnOptions, type Metric, type SearchHits } from './knn.js';
import { type Matrix, normalizeRows, pairDistance } from './matrix.js';

export interface Neighbors {
  /** Hits per query row (rows with fewer hits are padded with −1 / +∞). */
  readonly k: number;
  readonly indices: Int32Array;
  readonly distances: Float32Array;
}

/** The same choices as a one-off kNN graph: exact below `exactBelow` points, HNSW settings above. */
export type NeighborSearchOptions = KnnOptions;

export interface NeighborSearch {
  readonly n: number;
  readonly metric: Metric;
  /** The k nearest indexed points of each listed indexed point, itself excluded. */
  neighborsOf(points: ArrayLike<number>, k: number): Neighbors;
  /** The k nearest indexed points of each row of `queries` (vectors of the indexed dimension). */
  nearestTo(queries: Matrix, k: number): Neighbors;
  /** Distance between two indexed points in the searcher's metric. */
  distance(i: number, j: number): number;
}

export function neighborSearch(m: Matrix, o: NeighborSearchOptions = {}): NeighborSearch {
  return m.rows < (o.exactBelow ?? 2000) ? new ExactSearch(m, o.metric ?? 'cosine') : new HnswSearch(m, o);
}

/** The kNN graph of every indexed point (padding, if the index returns too few hits, repeats the last hit). */
export function knnGraphOf(s: NeighborSearch, k: number): KnnGraph {
  if (!Number.isInteger(k) || k < 1) throw new Error(`knn: k must be a positive integer, got ${k}`);
  if (k >= s.n) throw new Error(`knn: k=${k} needs more than ${k} points, got ${s.n}`);
  const all = Int32Array.from({ length: s.n }, (_, i) => i);
  const res = s.neighborsOf(all, k);
  for (let i = 0; i < s.n; i++) {
    const o = i * k;
    if (res.indices[o] < 0) throw new Error(`knn: the index returned no neighbours for point ${i}`);
    for (let r = 1; r < k; r++) {
      if (res.indices[o + r] >= 0) continue;
      res.indices[o + r] = res.indices[o + r - 1];
      res.distances[o + r] = res.distances[o + r - 1];
    }
  }
  return { n: s.n, k, indices: res.indices, distances: res.distances };
}

class ExactSearch implements NeighborSearch {
  readonly n: number;
  private readonly x: Float32Array;
  private readonly dim: number;

  constructor(
    m: Matrix,
    readonly metric: Metric,
  ) {
    this.n = m.rows;
    this.dim = m.cols;
    this.x = metric === 'cosine' ? normalizeRows(m).data : m.data;
  }

  distance(i: number, j: number): number {
    return pairDistance(this.x, this.dim, i, j, this.metric);
  }

  neighborsOf(points: ArrayLike<number>, k: number): Neighbors {
    return this.scan(
      points.length,
      k,
      (r) => points[r] * this.dim,
      this.x,
      (r) => points[r],
    );
  }

  nearestTo(queries: Matrix, k: number): Neighbors {
    checkDim(queries, this.dim);
    const q = this.metric === 'cosine' ? normalizeRows(queries).data : queries.data;
    return this.scan(
      queries.rows,
      k,
      (r) => r * this.dim,
      q,
      () => -1,
    );
  }

  /** Top-k by insertion into a sorted list; strict < keeps the lower index on ties. */
  private scan(
    nQueries: number,
    k: number,
    offsetOf: (r: number) => number,
    source: Float32Array,
    selfOf: (r: number) => number,
  ): Neighbors {
    const indices = new Int32Array(nQueries * k).fill(-1);
    const distances = new Float32Array(nQueries * k).fill(Number.POSITIVE_INFINITY);
    const bestD = new Float64Array(k);
    const bestI = new Int32Array(k);
    const dim = this.dim;
    for (let r = 0; r < nQueries; r++) {
      const oq = offsetOf(r);
      const self = selfOf(r);
      let filled = 0;
      for (let j = 0; j < this.n; j++) {
        if (j === self) continue;
        const oj = j * dim;
        let s = 0;
        let dj: number;
        if (this.metric === 'cosine') {
          for (let d = 0; d < dim; d++) s += source[oq + d] * this.x[oj + d];
          dj = Math.max(0, 1 - s);
        } else {
          for (let d = 0; d < dim; d++) {
            const t = source[oq + d] - this.x[oj + d];
            s += t * t;
          }
          dj = Math.sqrt(s);
        }
        if (filled === k && dj >= bestD[k - 1]) continue;
        let p = filled < k ? filled++ : k - 1;
        while (p > 0 && bestD[p - 1] > dj) {
          bestD[p] = bestD[p - 1];
          bestI[p] = bestI[p - 1];
          p--;
        }
        bestD[p] = dj;
        bestI[p] = j;
      }
      for (let t = 0; t < filled; t++) {
        indices[r * k + t] = bestI[t];
        distances[r * k + t] = bestD[t];
      }
    }
    return { k, indices, distances };
  }
}

function checkDim(queries: Matrix, dim: number): void {
  if (queries.cols !== dim)
    throw new Error(`neighbour search: index has ${dim} dimensions, queries ${queries.cols}`);
}

class HnswSearch implements NeighborSearch {
  readonly n: number;
  readonly metric: Metric;
  private readonly index: Index;
  private readonly x: Float32Array;
  private readonly dim: number;
  private readonly threads: number;

  constructor(m: Matrix, o: NeighborSearchOptions) {
    this.n = m.rows;
    this.dim = m.cols;
    this.metric = o.metric ?? 'cosine';
    this.threads = o.threads ?? 1;
    this.x = this.metric === 'cosine' ? normalizeRows(m).data : m.data;
    this.index = new Index({
      dimensions: m.cols,
      metric: this.metric === 'cosine' ? MetricKind.Cos : MetricKind.L2sq,
      quantization: 'f32' as never,
      connectivity: o.connectivity ?? 16,
      expansion_add: o.expansionAdd ?? 128,
      expansion_search: o.expansionSearch ?? 64,
      multi: false,
    });
    const keys = new BigUint64Array(this.n);
    for (let i = 0; i < this.n; i++) keys[i] = BigInt(i);
    this.index.add(keys, this.x, this.threads);
  }

  distance(i: number, j: number): number {
    return pairDistance(this.x, this.dim, i, j, this.metric);
  }

  neighborsOf(points: ArrayLike<number>, k: number): Neighbors {
    const q = points.length;
    const queries = new Float32Array(q * this.dim);
    for (let r = 0; r < q; r++)
      queries.set(this.x.subarray(points[r] * this.dim, (points[r] + 1) * this.dim), r * this.dim);
    return this.query(queries, q, k, (r) => points[r]);
  }

  nearestTo(queries: Matrix, k: number): Neighbors {
    checkDim(queries, this.dim);
    const q = this.metric === 'cosine' ? normalizeRows(queries).data : queries.data;
    return this.query(q, queries.rows, k, () => -1);
  }

  private query(queries: Float32Array, q: number, k: number, selfOf: (r: number) => number): Neighbors {
    const want = Math.min(this.n, k + 1);
    const res = this.index.search(queries, want, this.threads) as unknown as SearchHits;
    const indices = new Int32Array(q * k).fill(-1);
    const distances = new Float32Array(q * k).fill(Number.POSITIVE_INFINITY);
    for (let r = 0; r < q; r++) copyHits(res, want, r, selfOf(r), k, this.metric, indices, distances);
    return { k, indices, distances };
  }
}
