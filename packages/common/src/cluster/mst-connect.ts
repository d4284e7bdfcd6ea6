/**
 * A mutual-reachability spanning tree for large inputs: Kruskal over the kNN graph's edges, then, when that
 * graph falls apart into components, Borůvka rounds that join each component to its nearest other component
 * with a real mutual-reachability edge found through the neighbour searcher (not an infinite-weight edge), so
 * the hierarchy above the components still reflects their actual distances. O(nk log nk) plus the searches.
 */
import { type NeighborSearch, neighborSearch } from './ann.js';
import type { KnnGraph } from './knn.js';
import type { Matrix } from './matrix.js';
import { selectRows } from './matrix.js';
import { coreDistancesFromKnn, DisjointSet, type SpanningTree } from './mst.js';

export interface ConnectedMstOptions {
  minSamples: number;
  /** Components up to this size look for outside neighbours in the shared index (default 256). */
  smallComponent?: number;
  /** Candidates per point when looking outside a component (default 8). */
  extraNeighbors?: number;
}

export interface ConnectedMst {
  tree: SpanningTree;
  core: Float64Array;
  /** Components of the kNN graph before joining. */
  components: number;
  /** Edges added between components. */
  bridges: number;
  /** Borůvka rounds used. */
  rounds: number;
}

interface Edge {
  a: number;
  b: number;
  w: number;
}

/**
 * The mutual-reachability MST of the kNN graph `g` over the rows of `points`, joined into one tree.
 * `search` must index the same rows (and metric) `g` was built from.
 */
export function connectedMutualReachabilityMst(
  points: Matrix,
  g: KnnGraph,
  search: NeighborSearch,
  o: ConnectedMstOptions,
): ConnectedMst {
  const n = g.n;
  const core = coreDistancesFromKnn(g, o.minSamples);
  const mr = (a: number, b: number, d: number): number => Math.max(core[a], core[b], d);
  const m = n * g.k;
  const weight = new Float64Array(m);
  for (let i = 0; i < n; i++)
    for (let r = 0; r < g.k; r++)
      weight[i * g.k + r] = mr(i, g.indices[i * g.k + r], g.distances[i * g.k + r]);
  const order = Array.from({ length: m }, (_, e) => e).sort((x, y) => weight[x] - weight[y] || x - y);
  const ds = new DisjointSet(n);
  const from = new Int32Array(Math.max(0, n - 1));
  const to = new Int32Array(Math.max(0, n - 1));
  const w = new Float64Array(Math.max(0, n - 1));
  let e = 0;
  for (const idx of order) {
    if (e === n - 1) break;
    const a = Math.floor(idx / g.k);
    const b = g.indices[idx];
    if (ds.union(a, b)) {
      from[e] = a;
      to[e] = b;
      w[e] = weight[idx];
      e++;
    }
  }
  const components = n - e;
  let bridges = 0;
  let rounds = 0;
  while (e < n - 1) {
    rounds++;
    const found = cheapestOutsideEdges(points, ds, search, mr, o);
    found.sort((x, y) => x.w - y.w || x.a - y.a || x.b - y.b);
    for (const edge of found) {
      if (!ds.union(edge.a, edge.b)) continue;
      from[e] = edge.a;
      to[e] = edge.b;
      w[e] = edge.w;
      e++;
      bridges++;
    }
    if (found.length === 0) throw new Error('connected MST: no edge found between components');
  }
  return { tree: { n, from, to, weight: w }, core, components, bridges, rounds };
}

/** For every component but the largest, its cheapest mutual-reachability edge to another component. */
function cheapestOutsideEdges(
  points: Matrix,
  ds: DisjointSet,
  search: NeighborSearch,
  mr: (a: number, b: number, d: number) => number,
  o: ConnectedMstOptions,
): Edge[] {
  const n = points.rows;
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = ds.find(i);
    const list = members.get(r);
    if (list) list.push(i);
    else members.set(r, [i]);
  }
  let largest = -1;
  for (const [root, list] of members)
    if (largest < 0 || list.length > members.get(largest)!.length) largest = root;
  const extra = o.extraNeighbors ?? 8;
  const small = o.smallComponent ?? 256;
  const best = new Map<number, Edge>();
  const offer = (root: number, a: number, b: number, d: number): void => {
    const cand = { a, b, w: mr(a, b, d) };
    const cur = best.get(root);
    if (!cur || cand.w < cur.w || (cand.w === cur.w && (a < cur.a || (a === cur.a && b < cur.b))))
      best.set(root, cand);
  };
  // Small components: one shared-index query per point with enough hits to see past its own component.
  const byK = new Map<number, number[]>();
  const large: number[] = [];
  for (const [root, list] of members) {
    if (root === largest) continue;
    if (list.length > small) {
      large.push(root);
      continue;
    }
    const k = Math.min(n - 1, 2 ** Math.ceil(Math.log2(list.length + extra)));
    const group = byK.get(k);
    if (group) group.push(...list);
    else byK.set(k, [...list]);
  }
  for (const [k, pts] of [...byK].sort((x, y) => x[0] - y[0])) {
    const res = search.neighborsOf(pts, k);
    pts.forEach((p, r) => {
      const root = ds.find(p);
      for (let t = 0; t < k; t++) {
        const q = res.indices[r * k + t];
        if (q < 0 || ds.find(q) === root) continue;
        offer(root, p, q, res.distances[r * k + t]);
      }
    });
  }
  // Large components, and any small one the approximate index left without an outside hit: search the
  // points outside the component with an index of their own.
  for (const [root] of members)
    if (root !== largest && !best.has(root) && !large.includes(root)) large.push(root);
  for (const root of large.sort((x, y) => x - y)) {
    const inside = members.get(root)!;
    const outside: number[] = [];
    for (let i = 0; i < n; i++) if (ds.find(i) !== root) outside.push(i);
    const outIndex = neighborSearch(selectRows(points, outside), { metric: search.metric });
    const k = Math.min(outside.length, extra);
    const res = outIndex.nearestTo(selectRows(points, inside), k);
    inside.forEach((p, r) => {
      for (let t = 0; t < k; t++) {
        const q = res.indices[r * k + t];
        if (q >= 0) offer(root, p, outside[q], res.distances[r * k + t]);
      }
    });
  }
  return [...best.values()];
}
