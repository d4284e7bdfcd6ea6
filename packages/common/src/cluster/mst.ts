/**
 * Minimum spanning trees under HDBSCAN's mutual reachability distance max(core(a), core(b), d(a, b)):
 * Prim's O(n²) algorithm on dense data, or Kruskal's on any candidate edge list (e.g. a kNN graph).
 */
import type { KnnGraph, Metric } from './knn.js';
import { type Matrix, normalizeRows, pairDistance } from './matrix.js';

/** n − 1 edges of a spanning tree (or forest joined by infinite-weight edges). */
export interface SpanningTree {
  readonly n: number;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly weight: Float64Array;
}

/**
 * Core distance of each point: distance to its minSamples-th nearest other point, as the hdbscan library
 * (which BERTopic uses) computes it. minSamples 0 gives 0, i.e. plain distances.
 */
export function coreDistancesFromKnn(g: KnnGraph, minSamples: number): Float64Array {
  if (minSamples > g.k) throw new Error(`core distances: minSamples=${minSamples} needs k ≥ ${minSamples}`);
  const core = new Float64Array(g.n);
  if (minSamples <= 0) return core;
  for (let i = 0; i < g.n; i++) core[i] = g.distances[i * g.k + minSamples - 1];
  return core;
}

/** Exact core distances and the mutual-reachability MST by Prim's algorithm on all pairs (O(n²) time, O(n) memory). */
export function mutualReachabilityMstDense(
  m: Matrix,
  minSamples: number,
  metric: Metric = 'euclidean',
): { tree: SpanningTree; core: Float64Array } {
  const n = m.rows;
  const dim = m.cols;
  const x = metric === 'cosine' ? normalizeRows(m).data : m.data;
  const core = new Float64Array(n);
  if (minSamples > 0 && n > 1) {
    const kth = Math.min(minSamples, n - 1);
    const best = new Float64Array(kth);
    for (let i = 0; i < n; i++) {
      best.fill(Number.POSITIVE_INFINITY);
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const d = pairDistance(x, dim, i, j, metric);
        if (d >= best[kth - 1]) continue;
        let p = kth - 1;
        while (p > 0 && best[p - 1] > d) {
          best[p] = best[p - 1];
          p--;
        }
        best[p] = d;
      }
      core[i] = best[kth - 1];
    }
  }
  const from = new Int32Array(Math.max(0, n - 1));
  const to = new Int32Array(Math.max(0, n - 1));
  const weight = new Float64Array(Math.max(0, n - 1));
  const inTree = new Uint8Array(n);
  const bestDist = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const bestFrom = new Int32Array(n);
  let current = 0;
  for (let e = 0; e < n - 1; e++) {
    inTree[current] = 1;
    let next = -1;
    let nextDist = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (inTree[j]) continue;
      const mr = Math.max(core[current], core[j], pairDistance(x, dim, current, j, metric));
      if (mr < bestDist[j]) {
        bestDist[j] = mr;
        bestFrom[j] = current;
      }
      if (bestDist[j] < nextDist) {
        nextDist = bestDist[j];
        next = j;
      }
    }
    from[e] = bestFrom[next];
    to[e] = next;
    weight[e] = nextDist;
    current = next;
  }
  return { tree: { n, from, to, weight }, core };
}

/** Connected components of a kNN graph's undirected edges. */
export function countComponents(g: KnnGraph): number {
  const ds = new DisjointSet(g.n);
  let components = g.n;
  for (let i = 0; i < g.n; i++)
    for (let r = 0; r < g.k; r++) if (ds.union(i, g.indices[i * g.k + r])) components--;
  return components;
}

/** Union–find with path halving and union by size. */
export class DisjointSet {
  readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.size = new Int32Array(n).fill(1);
  }

  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) {
      this.parent[r] = this.parent[this.parent[r]];
      r = this.parent[r];
    }
    return r;
  }

  union(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    if (this.size[ra] < this.size[rb]) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra] += this.size[rb];
    return true;
  }
}

/**
 * Kruskal's MST over candidate edges. When the edges do not connect every point, the components are joined
 * by edges of infinite weight, so the condensed tree sees them as separate from the start.
 */
export function spanningTreeFromEdges(
  n: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  weight: ArrayLike<number>,
): SpanningTree {
  const order = Array.from({ length: weight.length }, (_, i) => i).sort(
    (a, b) => weight[a] - weight[b] || a - b,
  );
  const ds = new DisjointSet(n);
  const f = new Int32Array(Math.max(0, n - 1));
  const t = new Int32Array(Math.max(0, n - 1));
  const w = new Float64Array(Math.max(0, n - 1));
  let e = 0;
  for (const idx of order) {
    if (e === n - 1) break;
    if (ds.union(from[idx], to[idx])) {
      f[e] = from[idx];
      t[e] = to[idx];
      w[e] = weight[idx];
      e++;
    }
  }
  if (e < n - 1) {
    let anchor = -1;
    for (let i = 0; i < n && e < n - 1; i++) {
      if (ds.find(i) !== i) continue;
      if (anchor < 0) {
        anchor = i;
        continue;
      }
      ds.union(anchor, i);
      f[e] = anchor;
      t[e] = i;
      w[e] = Number.POSITIVE_INFINITY;
      e++;
    }
  }
  return { n, from: f, to: t, weight: w };
}

/** Mutual-reachability MST restricted to kNN edges: near-exact at scale, O(nk log nk). */
export function mutualReachabilityMstFromKnn(
  g: KnnGraph,
  minSamples: number,
): { tree: SpanningTree; core: Float64Array } {
  const core = coreDistancesFromKnn(g, minSamples);
  const m = g.n * g.k;
  const from = new Int32Array(m);
  const to = new Int32Array(m);
  const weight = new Float64Array(m);
  for (let i = 0; i < g.n; i++) {
    for (let r = 0; r < g.k; r++) {
      const e = i * g.k + r;
      const j = g.indices[e];
      from[e] = i;
      to[e] = j;
      weight[e] = Math.max(core[i], core[j], g.distances[e]);
    }
  }
  return { tree: spanningTreeFromEdges(g.n, from, to, weight), core };
}
