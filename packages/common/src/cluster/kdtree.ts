/**
 * A static k-d tree for low-dimensional Euclidean points (up to ~16 dimensions; beyond that, use the HNSW
 * searcher in ann.ts): exact k-nearest-neighbour graphs, and the exact mutual-reachability minimum spanning
 * tree by Borůvka's algorithm with tree pruning (the approach of McInnes & Healy 2017, "Accelerated
 * hierarchical density clustering", single-tree form). Both are O(n log n)-ish in low dimensions, where the
 * kNN-graph-plus-joining route needed slow searches between graph components.
 */
import type { KnnGraph } from './knn.js';
import type { Matrix } from './matrix.js';
import { coreDistancesFromKnn, DisjointSet, type SpanningTree } from './mst.js';

export interface KdTreeOptions {
  /** Points per leaf (default 16). */
  leafSize?: number;
}

export class KdTree {
  readonly n: number;
  readonly dim: number;
  /** Original index of the point at each tree position. */
  readonly order: Int32Array;
  /** Coordinates in tree order (position-major), as float64 for exact comparisons. */
  readonly coords: Float64Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Child nodes; −1 marks a leaf. */
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Bounding boxes: node × dim lows and highs. */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly nodes: number;

  constructor(points: Matrix, o: KdTreeOptions = {}) {
    const n = points.rows;
    const dim = points.cols;
    const leafSize = Math.max(1, o.leafSize ?? 16);
    this.n = n;
    this.dim = dim;
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    const maxNodes = Math.max(1, 2 * Math.ceil(n / leafSize) * 2);
    this.start = new Int32Array(maxNodes);
    this.end = new Int32Array(maxNodes);
    this.left = new Int32Array(maxNodes).fill(-1);
    this.right = new Int32Array(maxNodes).fill(-1);
    this.lo = new Float64Array(maxNodes * dim);
    this.hi = new Float64Array(maxNodes * dim);
    const x = points.data;
    let count = 0;
    const build = (s: number, e: number): number => {
      const node = count++;
      this.start[node] = s;
      this.end[node] = e;
      let splitDim = 0;
      let spread = -1;
      for (let d = 0; d < dim; d++) {
        let mn = Number.POSITIVE_INFINITY;
        let mx = Number.NEGATIVE_INFINITY;
        for (let p = s; p < e; p++) {
          const v = x[this.order[p] * dim + d];
          if (v < mn) mn = v;
          if (v > mx) mx = v;
        }
        this.lo[node * dim + d] = mn;
        this.hi[node * dim + d] = mx;
        if (mx - mn > spread) {
          spread = mx - mn;
          splitDim = d;
        }
      }
      if (e - s <= leafSize || spread <= 0) return node;
      const mid = (s + e) >>> 1;
      selectNth(this.order, s, e - 1, mid, x, dim, splitDim);
      this.left[node] = build(s, mid);
      this.right[node] = build(mid, e);
      return node;
    };
    if (n > 0) build(0, n);
    this.nodes = count;
    this.coords = new Float64Array(n * dim);
    for (let p = 0; p < n; p++)
      for (let d = 0; d < dim; d++) this.coords[p * dim + d] = x[this.order[p] * dim + d];
  }

  /** Squared distance from position p to node's box. */
  boxDistance2(node: number, p: number): number {
    const dim = this.dim;
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const v = this.coords[p * dim + d];
      const l = this.lo[node * dim + d];
      if (v < l) s += (l - v) * (l - v);
      else {
        const h = this.hi[node * dim + d];
        if (v > h) s += (v - h) * (v - h);
      }
    }
    return s;
  }

  /** Pushes an inner node's children onto a search stack, the nearer to position p last (searched first). */
  pushChildren(stack: Int32Array, top: number, node: number, p: number): number {
    const l = this.left[node];
    const r = this.right[node];
    const nearLeft = this.boxDistance2(l, p) <= this.boxDistance2(r, p);
    stack[top] = nearLeft ? r : l;
    stack[top + 1] = nearLeft ? l : r;
    return top + 2;
  }

  /** Squared distance between two tree positions. */
  distance2(p: number, q: number): number {
    const dim = this.dim;
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const t = this.coords[p * dim + d] - this.coords[q * dim + d];
      s += t * t;
    }
    return s;
  }

  /**
   * The exact kNN graph (Euclidean) of every point, itself excluded, rows sorted by distance then index —
   * the same graph as brute force.
   */
  knnGraph(k: number): KnnGraph {
    const n = this.n;
    if (!Number.isInteger(k) || k < 1) throw new Error(`knn: k must be a positive integer, got ${k}`);
    if (k >= n) throw new Error(`knn: k=${k} needs more than ${k} points, got ${n}`);
    const indices = new Int32Array(n * k);
    const distances = new Float32Array(n * k);
    const bestD = new Float64Array(k);
    const bestI = new Int32Array(k);
    const stack = new Int32Array(this.nodes + 64);
    for (let p = 0; p < n; p++) {
      const self = this.order[p];
      bestD.fill(Number.POSITIVE_INFINITY);
      bestI.fill(0x7fffffff);
      let top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const node = stack[--top];
        if (this.boxDistance2(node, p) > bestD[k - 1]) continue;
        const l = this.left[node];
        if (l < 0) {
          for (let q = this.start[node]; q < this.end[node]; q++) {
            const idx = this.order[q];
            if (idx === self) continue;
            const d2 = this.distance2(p, q);
            if (d2 > bestD[k - 1] || (d2 === bestD[k - 1] && idx > bestI[k - 1])) continue;
            let r = k - 1;
            while (r > 0 && (bestD[r - 1] > d2 || (bestD[r - 1] === d2 && bestI[r - 1] > idx))) {
              bestD[r] = bestD[r - 1];
              bestI[r] = bestI[r - 1];
              r--;
            }
            bestD[r] = d2;
            bestI[r] = idx;
          }
          continue;
        }
        top = this.pushChildren(stack, top, node, p);
      }
      for (let r = 0; r < k; r++) {
        indices[self * k + r] = bestI[r];
        distances[self * k + r] = Math.sqrt(bestD[r]);
      }
    }
    return { n, k, indices, distances };
  }
}

/** Quickselect on `order[lo..hi]` by coordinate `d`, so that position `nth` holds the median. */
function selectNth(
  order: Int32Array,
  lo: number,
  hi: number,
  nth: number,
  x: Float32Array,
  dim: number,
  d: number,
): void {
  const key = (p: number): number => x[order[p] * dim + d];
  while (hi > lo) {
    const pivot = key((lo + hi) >>> 1);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key(i) < pivot) i++;
      while (key(j) > pivot) j--;
      if (i <= j) {
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
        i++;
        j--;
      }
    }
    if (nth <= j) hi = j;
    else if (nth >= i) lo = i;
    else return;
  }
}

export interface KdMstResult {
  tree: SpanningTree;
  core: Float64Array;
  /** The kNN graph the core distances came from (the one given, or k = max(minSamples, requested k)). */
  graph: KnnGraph;
  /** Borůvka rounds. */
  rounds: number;
}

/**
 * The exact mutual-reachability MST (weights max(core(a), core(b), d(a, b)), Euclidean), identical in weight
 * to Prim's algorithm over all pairs. Each Borůvka round finds, for every component, its cheapest edge to
 * another component, searching the tree and skipping nodes that lie wholly inside the component or whose
 * lower bound max(core(a), min core in node, box distance) cannot beat the component's best so far. Edges
 * are ordered by (weight, lower index, higher index) so equal weights never create a cycle.
 */
export function mutualReachabilityMstKdTree(
  points: Matrix,
  minSamples: number,
  o: { k?: number; leafSize?: number; tree?: KdTree; graph?: KnnGraph } = {},
): KdMstResult {
  const tree = o.tree ?? new KdTree(points, { leafSize: o.leafSize });
  const n = tree.n;
  if (tree.n !== points.rows)
    throw new Error(`k-d tree MST: the tree holds ${tree.n} points, not ${points.rows}`);
  const k = o.graph ? o.graph.k : Math.min(n - 1, Math.max(minSamples, o.k ?? minSamples, 1));
  if (o.graph && (o.graph.n !== n || o.graph.k < minSamples))
    throw new Error(`k-d tree MST: the kNN graph must cover ${n} points with k ≥ ${minSamples}`);
  if (n < 2)
    return {
      tree: { n, from: new Int32Array(0), to: new Int32Array(0), weight: new Float64Array(0) },
      core: new Float64Array(n),
      graph: { n, k: 0, indices: new Int32Array(0), distances: new Float32Array(0) },
      rounds: 0,
    };
  const graph = o.graph ?? tree.knnGraph(k);
  const core = coreDistancesFromKnn(graph, Math.min(minSamples, k));
  const { order, nodes, left, right, start, end } = tree;
  // Per tree position: core distance; per node: smallest core distance inside.
  const coreAt = new Float64Array(n);
  for (let p = 0; p < n; p++) coreAt[p] = core[order[p]];
  const minCore = new Float64Array(nodes);
  for (let node = nodes - 1; node >= 0; node--) {
    // Children always have larger ids than their parent, so a reverse sweep fills bottom-up.
    if (left[node] < 0) {
      let m = Number.POSITIVE_INFINITY;
      for (let p = start[node]; p < end[node]; p++) if (coreAt[p] < m) m = coreAt[p];
      minCore[node] = m;
    } else minCore[node] = Math.min(minCore[left[node]], minCore[right[node]]);
  }

  const ds = new DisjointSet(n);
  const compOf = new Int32Array(n);
  const compAt = new Int32Array(n);
  const nodeComp = new Int32Array(nodes);
  const bestW = new Float64Array(n);
  const bestA = new Int32Array(n);
  const bestB = new Int32Array(n);
  const from = new Int32Array(n - 1);
  const to = new Int32Array(n - 1);
  const weight = new Float64Array(n - 1);
  const stack = new Int32Array(nodes + 64);
  const less = (w: number, a: number, b: number, c: number): boolean => {
    const bw = bestW[c];
    if (w !== bw) return w < bw;
    const lo = Math.min(a, b);
    const blo = Math.min(bestA[c], bestB[c]);
    return lo < blo || (lo === blo && Math.max(a, b) < Math.max(bestA[c], bestB[c]));
  };
  let edges = 0;
  let rounds = 0;
  while (edges < n - 1) {
    rounds++;
    for (let i = 0; i < n; i++) compOf[i] = ds.find(i);
    for (let p = 0; p < n; p++) compAt[p] = compOf[order[p]];
    for (let node = nodes - 1; node >= 0; node--) {
      if (left[node] < 0) {
        const c = compAt[start[node]];
        let same = c;
        for (let p = start[node] + 1; p < end[node]; p++)
          if (compAt[p] !== c) {
            same = -1;
            break;
          }
        nodeComp[node] = same;
      } else {
        const a = nodeComp[left[node]];
        nodeComp[node] = a >= 0 && a === nodeComp[right[node]] ? a : -1;
      }
    }
    bestW.fill(Number.POSITIVE_INFINITY);
    bestA.fill(0x7fffffff);
    bestB.fill(0x7fffffff);
    // Cheap first bounds from the kNN lists, so most tree searches start with a tight bound.
    for (let i = 0; i < n; i++) {
      const c = compOf[i];
      for (let r = 0; r < k; r++) {
        const j = graph.indices[i * k + r];
        if (compOf[j] === c) continue;
        const w = Math.max(core[i], core[j], graph.distances[i * k + r]);
        if (less(w, i, j, c)) {
          bestW[c] = w;
          bestA[c] = i;
          bestB[c] = j;
        }
        break;
      }
    }
    for (let p = 0; p < n; p++) {
      const c = compAt[p];
      const ci = coreAt[p];
      if (ci > bestW[c]) continue;
      const a = order[p];
      let top = 0;
      stack[top++] = 0;
      while (top > 0) {
        const node = stack[--top];
        if (nodeComp[node] === c) continue;
        const bound = bestW[c];
        if (minCore[node] > bound) continue;
        const bd2 = tree.boxDistance2(node, p);
        if (bd2 > bound * bound) continue;
        const l = left[node];
        if (l < 0) {
          for (let q = start[node]; q < end[node]; q++) {
            if (compAt[q] === c) continue;
            const cq = coreAt[q];
            if (cq > bestW[c]) continue;
            const d = Math.sqrt(tree.distance2(p, q));
            const w = Math.max(d, ci, cq);
            const b = order[q];
            if (less(w, a, b, c)) {
              bestW[c] = w;
              bestA[c] = a;
              bestB[c] = b;
            }
          }
          continue;
        }
        top = tree.pushChildren(stack, top, node, p);
      }
    }
    // Components' cheapest edges, cheapest first; a pair chosen from both sides is added once.
    const roots: number[] = [];
    for (let i = 0; i < n; i++) if (compOf[i] === i && bestW[i] < Number.POSITIVE_INFINITY) roots.push(i);
    if (roots.length === 0) throw new Error('k-d tree MST: no edge found between components');
    roots.sort((x, y) => bestW[x] - bestW[y] || Math.min(bestA[x], bestB[x]) - Math.min(bestA[y], bestB[y]));
    const chosen = roots.map((c) => [bestA[c], bestB[c], bestW[c]] as const);
    for (const [a, b, w] of chosen) {
      if (!ds.union(a, b)) continue;
      from[edges] = a;
      to[edges] = b;
      weight[edges] = w;
      edges++;
    }
  }
  return { tree: { n, from, to, weight }, core, graph, rounds };
}
