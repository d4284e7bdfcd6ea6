/**
 * HDBSCAN (Campello, Moulavi & Sander 2013; McInnes & Healy's hdbscan library): single linkage over a
 * mutual-reachability spanning tree → condensed tree → stability → excess-of-mass or leaf selection → labels.
 * The steps after the tree take any spanning tree, so a kNN-graph MST can feed them at scale.
 */
import { knn, type Metric } from './knn.js';
import type { Matrix } from './matrix.js';
import { mutualReachabilityMstDense, mutualReachabilityMstFromKnn, type SpanningTree } from './mst.js';

/** scipy-style linkage: row r merges `left[r]` and `right[r]` into node n + r at `distance[r]`. */
export interface SingleLinkage {
  readonly n: number;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly distance: Float64Array;
  readonly size: Int32Array;
}

/** Condensed tree rows: `child` (a point < n, or a cluster ≥ n) leaves `parent` at `lambda` = 1 / distance. */
export interface CondensedTree {
  readonly n: number;
  readonly parent: Int32Array;
  readonly child: Int32Array;
  readonly lambda: Float64Array;
  readonly childSize: Int32Array;
}

export type ClusterSelection = 'eom' | 'leaf';

export interface HdbscanOptions {
  minClusterSize?: number;
  /** Default: minClusterSize, as in the hdbscan library. */
  minSamples?: number;
  method?: ClusterSelection;
  allowSingleCluster?: boolean;
  /**
   * eom replaces a cluster larger than this by its children, when it has any (hdbscan's max_cluster_size, except
   * that a cluster without sub-clusters stays rather than turning into noise); default: no limit.
   */
  maxClusterSize?: number;
  metric?: Metric;
  /** Use Prim's exact O(n²) tree below this many points (default 20,000), a kNN-graph tree above. */
  denseBelow?: number;
  /** Neighbours in the kNN graph when it is used (default max(minSamples, 15)). */
  graphNeighbors?: number;
}

export interface HdbscanResult {
  /** Cluster per point, 0..nClusters−1, or −1 for noise. */
  labels: Int32Array;
  /** Membership strength in [0, 1]; 0 for noise. */
  probabilities: Float64Array;
  nClusters: number;
  condensed: CondensedTree;
  /** Selected condensed-tree cluster id of each label. */
  selected: number[];
}

/** Sorts the tree's edges and merges components into a dendrogram. */
export function singleLinkage(tree: SpanningTree): SingleLinkage {
  const n = tree.n;
  const m = tree.weight.length;
  const order = Array.from({ length: m }, (_, i) => i).sort(
    (a, b) => tree.weight[a] - tree.weight[b] || a - b,
  );
  const parent = Int32Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const size = new Int32Array(2 * n - 1).fill(1);
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r];
    while (parent[x] !== r) {
      const nx = parent[x];
      parent[x] = r;
      x = nx;
    }
    return r;
  };
  const left = new Int32Array(m);
  const right = new Int32Array(m);
  const distance = new Float64Array(m);
  const outSize = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const e = order[r];
    const a = find(tree.from[e]);
    const b = find(tree.to[e]);
    const node = n + r;
    left[r] = a;
    right[r] = b;
    distance[r] = tree.weight[e];
    size[node] = size[a] + size[b];
    outSize[r] = size[node];
    parent[a] = node;
    parent[b] = node;
  }
  return { n, left, right, distance, size: outSize };
}

/** hdbscan's condense_tree: walks the dendrogram from the root, keeping splits where both sides are big enough. */
export function condenseTree(slt: SingleLinkage, minClusterSize: number): CondensedTree {
  const n = slt.n;
  const parent: number[] = [];
  const child: number[] = [];
  const lambdaOut: number[] = [];
  const childSize: number[] = [];
  if (n <= 1)
    return {
      n,
      parent: new Int32Array(),
      child: new Int32Array(),
      lambda: new Float64Array(),
      childSize: new Int32Array(),
    };
  const root = 2 * n - 2;
  const sizeOf = (node: number): number => (node < n ? 1 : slt.size[node - n]);
  const relabel = new Int32Array(root + 1);
  relabel[root] = n;
  let nextLabel = n + 1;
  const emitPoints = (from: number, label: number, lambda: number): void => {
    const stack = [from];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node < n) {
        parent.push(label);
        child.push(node);
        lambdaOut.push(lambda);
        childSize.push(1);
      } else {
        stack.push(slt.left[node - n], slt.right[node - n]);
      }
    }
  };
  // Breadth-first over the internal nodes still carrying a cluster.
  const queue = [root];
  for (let qi = 0; qi < queue.length; qi++) {
    const node = queue[qi];
    const r = node - n;
    const l = slt.left[r];
    const rt = slt.right[r];
    const d = slt.distance[r];
    const lambda = d > 0 ? 1 / d : Number.POSITIVE_INFINITY;
    const lc = sizeOf(l);
    const rc = sizeOf(rt);
    const label = relabel[node];
    if (lc >= minClusterSize && rc >= minClusterSize) {
      relabel[l] = nextLabel++;
      parent.push(label);
      child.push(relabel[l]);
      lambdaOut.push(lambda);
      childSize.push(lc);
      relabel[rt] = nextLabel++;
      parent.push(label);
      child.push(relabel[rt]);
      lambdaOut.push(lambda);
      childSize.push(rc);
      if (l >= n) queue.push(l);
      if (rt >= n) queue.push(rt);
    } else if (lc < minClusterSize && rc < minClusterSize) {
      emitPoints(l, label, lambda);
      emitPoints(rt, label, lambda);
    } else if (lc < minClusterSize) {
      relabel[rt] = label;
      emitPoints(l, label, lambda);
      if (rt >= n) queue.push(rt);
      else emitPoints(rt, label, lambda);
    } else {
      relabel[l] = label;
      emitPoints(rt, label, lambda);
      if (l >= n) queue.push(l);
      else emitPoints(l, label, lambda);
    }
  }
  return {
    n,
    parent: Int32Array.from(parent),
    child: Int32Array.from(child),
    lambda: Float64Array.from(lambdaOut),
    childSize: Int32Array.from(childSize),
  };
}

/** Stability of each condensed cluster: Σ (λ_leave − λ_birth) × size over its rows. Indexed by id − n. */
export function clusterStability(t: CondensedTree): Float64Array {
  let maxId = t.n;
  for (const p of t.parent) maxId = Math.max(maxId, p);
  for (const c of t.child) maxId = Math.max(maxId, c);
  const births = new Float64Array(maxId - t.n + 1);
  for (let r = 0; r < t.child.length; r++) if (t.child[r] >= t.n) births[t.child[r] - t.n] = t.lambda[r];
  births[0] = 0;
  const stability = new Float64Array(maxId - t.n + 1);
  for (let r = 0; r < t.parent.length; r++) {
    const p = t.parent[r] - t.n;
    stability[p] += (t.lambda[r] - births[p]) * t.childSize[r];
  }
  return stability;
}

/** Selected cluster ids (≥ n), ascending, by excess of mass or as the leaves of the cluster tree. */
export function selectClusters(
  t: CondensedTree,
  method: ClusterSelection = 'eom',
  allowSingleCluster = false,
  maxClusterSize = Number.POSITIVE_INFINITY,
): number[] {
  const n = t.n;
  const stability = clusterStability(t);
  const nClusters = stability.length;
  const children: number[][] = Array.from({ length: nClusters }, () => []);
  for (let r = 0; r < t.child.length; r++)
    if (t.child[r] >= n) children[t.parent[r] - n].push(t.child[r] - n);
  const isCluster = new Uint8Array(nClusters).fill(1);
  if (!allowSingleCluster) isCluster[0] = 0;
  if (method === 'leaf') {
    const leaves: number[] = [];
    for (let c = 0; c < nClusters; c++)
      if (children[c].length === 0 && (c > 0 || allowSingleCluster)) leaves.push(c);
    if (nClusters === 1 && !allowSingleCluster) return [];
    return leaves.map((c) => c + n);
  }
  const stab = Float64Array.from(stability);
  const size = new Float64Array(nClusters);
  size[0] = n;
  for (let r = 0; r < t.child.length; r++) if (t.child[r] >= n) size[t.child[r] - n] = t.childSize[r];
  const lowest = allowSingleCluster ? 0 : 1;
  // Children carry larger ids than their parents, so descending order visits every subtree first.
  for (let c = nClusters - 1; c >= lowest; c--) {
    let sub = 0;
    for (const ch of children[c]) sub += stab[ch];
    if (sub > stab[c] || (size[c] > maxClusterSize && children[c].length > 0)) {
      isCluster[c] = 0;
      stab[c] = sub;
    } else {
      const stack = [...children[c]];
      while (stack.length > 0) {
        const d = stack.pop()!;
        isCluster[d] = 0;
        stack.push(...children[d]);
      }
    }
  }
  const out: number[] = [];
  for (let c = 0; c < nClusters; c++) if (isCluster[c]) out.push(c + n);
  return out;
}

/** Labels and membership strengths for the selected clusters (hdbscan's do_labelling and get_probabilities). */
export function labelPoints(
  t: CondensedTree,
  selected: readonly number[],
  allowSingleCluster = false,
): { labels: Int32Array; probabilities: Float64Array } {
  const n = t.n;
  let maxId = n;
  for (const p of t.parent) maxId = Math.max(maxId, p);
  const nClusters = maxId - n + 1;
  const clusterParent = new Int32Array(nClusters).fill(-1);
  for (let r = 0; r < t.child.length; r++)
    if (t.child[r] >= n) clusterParent[t.child[r] - n] = t.parent[r] - n;
  const labelOf = new Int32Array(nClusters).fill(-1);
  selected.forEach((c, i) => {
    labelOf[c - n] = i;
  });
  // Nearest selected ancestor-or-self of each cluster (parents have smaller ids than children).
  const owner = new Int32Array(nClusters).fill(-1);
  for (let c = 0; c < nClusters; c++) {
    if (labelOf[c] >= 0) owner[c] = c;
    else if (clusterParent[c] >= 0) owner[c] = owner[clusterParent[c]];
  }
  const deaths = new Float64Array(nClusters);
  for (let r = 0; r < t.parent.length; r++) {
    const p = t.parent[r] - n;
    if (t.lambda[r] > deaths[p]) deaths[p] = t.lambda[r];
  }
  const labels = new Int32Array(n).fill(-1);
  const probabilities = new Float64Array(n);
  let rootMax = 0;
  for (let r = 0; r < t.parent.length; r++)
    if (t.parent[r] === n && t.lambda[r] > rootMax) rootMax = t.lambda[r];
  for (let r = 0; r < t.child.length; r++) {
    const point = t.child[r];
    if (point >= n) continue;
    const o = owner[t.parent[r] - n];
    if (o < 0) continue;
    if (o === 0) {
      // The root is a cluster only with allowSingleCluster; its points then need λ ≥ the root's largest λ.
      if (!(allowSingleCluster && selected.length === 1 && t.lambda[r] >= rootMax)) continue;
    }
    labels[point] = labelOf[o];
    const maxLambda = deaths[o];
    const lam = t.lambda[r];
    probabilities[point] =
      maxLambda === 0 || !Number.isFinite(lam) ? 1 : Math.min(lam, maxLambda) / maxLambda;
  }
  return { labels, probabilities };
}

/** Clusters given a spanning tree of mutual reachability distances. */
export function hdbscanFromTree(
  tree: SpanningTree,
  o: {
    minClusterSize?: number;
    method?: ClusterSelection;
    allowSingleCluster?: boolean;
    maxClusterSize?: number;
  } = {},
): HdbscanResult {
  const mcs = o.minClusterSize ?? 5;
  if (mcs < 2) throw new Error(`hdbscan: minClusterSize must be ≥ 2, got ${mcs}`);
  const condensed = condenseTree(singleLinkage(tree), mcs);
  if (tree.n <= 1) {
    return {
      labels: new Int32Array(tree.n).fill(-1),
      probabilities: new Float64Array(tree.n),
      nClusters: 0,
      condensed,
      selected: [],
    };
  }
  const selected = selectClusters(
    condensed,
    o.method ?? 'eom',
    o.allowSingleCluster ?? false,
    o.maxClusterSize,
  );
  const { labels, probabilities } = labelPoints(condensed, selected, o.allowSingleCluster ?? false);
  return { labels, probabilities, nClusters: selected.length, condensed, selected };
}

/** HDBSCAN on the rows of `m`: exact Prim tree for small inputs, kNN-graph tree for large ones. */
export function hdbscan(m: Matrix, o: HdbscanOptions = {}): HdbscanResult {
  const mcs = o.minClusterSize ?? 5;
  const ms = Math.min(o.minSamples ?? mcs, Math.max(0, m.rows - 1));
  const metric = o.metric ?? 'euclidean';
  let tree: SpanningTree;
  if (m.rows < (o.denseBelow ?? 20000)) tree = mutualReachabilityMstDense(m, ms, metric).tree;
  else {
    const g = knn(m, Math.min(m.rows - 1, Math.max(ms, o.graphNeighbors ?? 15)), { metric });
    tree = mutualReachabilityMstFromKnn(g, ms).tree;
  }
  return hdbscanFromTree(tree, {
    minClusterSize: mcs,
    method: o.method,
    allowSingleCluster: o.allowSingleCluster,
    maxClusterSize: o.maxClusterSize,
  });
}
