import assert from 'node:assert/strict';
import { test } from 'vitest';
import { adjustedRandIndex } from '../../src/cluster/agreement.js';
import {
  clusterStability,
  condenseTree,
  hdbscan,
  hdbscanFromTree,
  selectClusters,
  singleLinkage,
} from '../../src/cluster/hdbscan.js';
import { exactKnn } from '../../src/cluster/knn.js';
import { matrixFromRows } from '../../src/cluster/matrix.js';
import {
  coreDistancesFromKnn,
  mutualReachabilityMstDense,
  mutualReachabilityMstFromKnn,
  spanningTreeFromEdges,
} from '../../src/cluster/mst.js';
import { gaussianBlobs } from './blobs.js';

const line = (xs: number[]) => matrixFromRows(xs.map((x) => [x]));
/** Relabels clusters in order of first appearance so partitions compare regardless of cluster numbering. */
const canonical = (labels: Int32Array) => {
  const map = new Map<number, number>();
  return [...labels].map((l) => (l < 0 ? -1 : (map.get(l) ?? map.set(l, map.size).get(l)!)));
};

test('two groups of three on a line: condensed tree, stabilities and labels by hand', () => {
  // min_samples = 0: core distances are 0, so mutual reachability is the plain distance.
  const { tree } = mutualReachabilityMstDense(line([0, 1, 2, 10, 11, 12]), 0);
  assert.deepEqual(
    [...tree.weight].sort((a, b) => a - b),
    [1, 1, 1, 1, 8],
  );
  const slt = singleLinkage(tree);
  assert.equal(slt.distance[4], 8);
  assert.equal(slt.size[4], 6);
  const ct = condenseTree(slt, 3);
  // Root 6 splits at λ = 1/8 into clusters 7 and 8; their points leave at λ = 1.
  const clusterRows = [...ct.child]
    .map((c, r) => [ct.parent[r], c, ct.lambda[r], ct.childSize[r]])
    .filter((r) => r[1] >= 6);
  assert.deepEqual(clusterRows, [
    [6, 7, 0.125, 3],
    [6, 8, 0.125, 3],
  ]);
  const st = clusterStability(ct);
  assert.ok(Math.abs(st[0] - 0.125 * 6) < 1e-12);
  assert.ok(Math.abs(st[1] - 3 * (1 - 0.125)) < 1e-12);
  assert.ok(Math.abs(st[2] - 3 * (1 - 0.125)) < 1e-12);
  assert.deepEqual(selectClusters(ct, 'eom'), [7, 8]);
  const res = hdbscanFromTree(tree, { minClusterSize: 3 });
  assert.deepEqual([...res.labels], [0, 0, 0, 1, 1, 1]);
  assert.deepEqual([...res.probabilities], [1, 1, 1, 1, 1, 1]);
});

test('a point that leaves the root before any selected cluster forms is noise', () => {
  const res = hdbscan(line([0, 1, 2, 10, 11, 12, 30]), { minClusterSize: 3, minSamples: 1 });
  assert.deepEqual(canonical(res.labels), [0, 0, 0, 1, 1, 1, -1]);
  // A pair too small to be a cluster falls out of {0, 1, 2}'s cluster at λ = 1/8 and so belongs to it.
  const small = hdbscan(line([0, 1, 2, 10, 11, 30, 31, 32]), { minClusterSize: 3, minSamples: 1 });
  assert.deepEqual(canonical(small.labels), [0, 0, 0, 0, 0, 1, 1, 1]);
  assert.ok(small.probabilities[3] < small.probabilities[0]);
});

test('eom keeps a parent whose children are short-lived; leaf takes the children', () => {
  // Two sub-groups 0.6 apart (spacing 0.5) inside one group, the whole far from a second group.
  // Sub-groups: stability 3 × (2 − 1/0.6) = 1 each; their parent: 6 × (1/0.6 − 1/37.4) ≈ 9.8, so eom keeps the parent.
  const xs = [0, 0.5, 1, 1.6, 2.1, 2.6, 40, 40.5, 41, 41.5, 42, 42.5];
  const eom = hdbscan(line(xs), { minClusterSize: 3, minSamples: 1, method: 'eom' });
  assert.deepEqual(canonical(eom.labels), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  const leaf = hdbscan(line(xs), { minClusterSize: 3, minSamples: 1, method: 'leaf' });
  assert.deepEqual(canonical(leaf.labels), [0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  // A size cap makes eom pass over the 6-point parent and take its children; the other group has none and stays.
  const capped = hdbscan(line(xs), { minClusterSize: 3, minSamples: 1, method: 'eom', maxClusterSize: 5 });
  assert.deepEqual(canonical(capped.labels), [0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
});

test('core distance is the distance to the min_samples-th other point (the hdbscan library)', () => {
  const g = exactKnn(line([0, 1, 3, 7]), 3, 'euclidean');
  assert.deepEqual([...coreDistancesFromKnn(g, 0)], [0, 0, 0, 0]);
  assert.deepEqual([...coreDistancesFromKnn(g, 1)], [1, 1, 2, 4]);
  assert.deepEqual([...coreDistancesFromKnn(g, 2)], [3, 2, 3, 6]);
  const { core } = mutualReachabilityMstDense(line([0, 1, 3, 7]), 2);
  assert.deepEqual([...core], [3, 2, 3, 6]);
});

test('a disconnected edge list is joined by infinite edges and splits at λ = 0', () => {
  const tree = spanningTreeFromEdges(6, [0, 1, 3, 4], [1, 2, 4, 5], [1, 1, 1, 1]);
  assert.equal(tree.weight.length, 5);
  assert.equal(tree.weight.filter((w) => w === Number.POSITIVE_INFINITY).length, 1);
  const res = hdbscanFromTree(tree, { minClusterSize: 3 });
  assert.deepEqual([...res.labels], [0, 0, 0, 1, 1, 1]);
});

test('Gaussian blobs with 5% noise: ARI ≥ 0.98 on the dense tree, ≥ 0.97 on the kNN-graph tree', () => {
  const { m, labels } = gaussianBlobs(1500, 10, 8, 11, { spread: 1, separation: 8, noise: 0.05 });
  const dense = hdbscan(m, { minClusterSize: 15 });
  assert.equal(dense.nClusters, 10);
  const ari = adjustedRandIndex(dense.labels, labels);
  assert.ok(ari >= 0.98, `dense ARI ${ari}`);
  const viaGraph = hdbscan(m, { minClusterSize: 15, denseBelow: 0, graphNeighbors: 15 });
  assert.equal(viaGraph.nClusters, 10);
  const ariGraph = adjustedRandIndex(viaGraph.labels, labels);
  assert.ok(ariGraph >= 0.97, `graph ARI ${ariGraph}`);
  // The kNN tree's weights are at least the dense MST's total (it is a spanning tree of a subgraph).
  const denseTree = mutualReachabilityMstDense(m, 15).tree;
  const graphTree = mutualReachabilityMstFromKnn(exactKnn(m, 15, 'euclidean'), 15).tree;
  const sum = (w: Float64Array) => w.reduce((a, b) => a + b, 0);
  assert.ok(sum(graphTree.weight) >= sum(denseTree.weight) - 1e-6);
});

test('agrees with the reference hdbscan library on blobs with noise', async () => {
  // Written by bench/peer/hdbscan_fixture.py with the Python hdbscan package (algorithm="generic").
  const ref = (await import('./fixtures/hdbscan-reference.json', { with: { type: 'json' } })).default as {
    points: number[][];
    cases: {
      minClusterSize: number;
      minSamples: number;
      method: 'eom' | 'leaf';
      labels: number[];
      probabilities: number[];
    }[];
  };
  const m = matrixFromRows(ref.points);
  let exact = 0;
  for (const c of ref.cases) {
    const res = hdbscan(m, { minClusterSize: c.minClusterSize, minSamples: c.minSamples, method: c.method });
    const what = `mcs=${c.minClusterSize} ms=${c.minSamples} ${c.method}`;
    assert.equal(res.nClusters, Math.max(...c.labels) + 1, what);
    const ari = adjustedRandIndex(res.labels, c.labels);
    assert.ok(ari >= 0.93, `${what}: ARI ${ari}`);
    const same =
      canonical(res.labels).join() === canonical(Int32Array.from(c.labels)).join() &&
      c.probabilities.every((p, i) => Math.abs(res.probabilities[i] - p) < 1e-5);
    if (same) exact++;
  }
  // Equal mutual-reachability distances are common (many edges equal a core distance), and the reference breaks
  // such ties in its own order (an unstable sort), so two settings differ slightly; the others match exactly.
  assert.ok(exact >= 3, `${exact} settings match exactly`);
});
