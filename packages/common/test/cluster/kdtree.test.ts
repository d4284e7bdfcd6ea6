import assert from 'node:assert/strict';
import { test } from 'vitest';
import { adjustedRandIndex } from '../../src/cluster/agreement.js';
import { hdbscanFromTree } from '../../src/cluster/hdbscan.js';
import { KdTree, mutualReachabilityMstKdTree } from '../../src/cluster/kdtree.js';
import { type Matrix, matrixFromRows } from '../../src/cluster/matrix.js';
import { mutualReachabilityMstDense } from '../../src/cluster/mst.js';
import { gaussianBlobs } from './blobs.js';

const total = (w: Float64Array) => w.reduce((s, x) => s + x, 0);

/** Brute-force kNN in double precision, rows sorted by (distance, index). */
function bruteKnn(m: Matrix, k: number): { indices: number[]; distances: number[] } {
  const indices: number[] = [];
  const distances: number[] = [];
  for (let i = 0; i < m.rows; i++) {
    const row: [number, number][] = [];
    for (let j = 0; j < m.rows; j++) {
      if (j === i) continue;
      let s = 0;
      for (let d = 0; d < m.cols; d++) s += (m.data[i * m.cols + d] - m.data[j * m.cols + d]) ** 2;
      row.push([s, j]);
    }
    row.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [s, j] of row.slice(0, k)) {
      indices.push(j);
      distances.push(Math.sqrt(s));
    }
  }
  return { indices, distances };
}

test('k-d tree kNN equals brute force, including ties between duplicate points', () => {
  const { m } = gaussianBlobs(900, 4, 5, 7, { noise: 0.1 });
  // Duplicates: rows 0..9 copied onto rows 10..19, so distance ties must break by index like brute force.
  m.data.copyWithin(10 * 5, 0, 10 * 5);
  for (const leafSize of [1, 8, 16, 40]) {
    const g = new KdTree(m, { leafSize }).knnGraph(7);
    const want = bruteKnn(m, 7);
    assert.deepEqual([...g.indices], want.indices, `leaf size ${leafSize}`);
    g.distances.forEach((d, r) => {
      assert.ok(Math.abs(d - want.distances[r]) < 1e-5);
    });
  }
  assert.throws(() => new KdTree(m).knnGraph(900), /needs more than 900 points/);
});

test('k-d tree Borůvka MST has the exact mutual-reachability MST weight and HDBSCAN labels of Prim', () => {
  const cases = [
    { data: gaussianBlobs(1500, 6, 5, 3, { noise: 0.05 }), minSamples: 5 },
    // Far-apart blobs: a kNN graph falls apart here; Borůvka must join the pieces with real edges.
    { data: gaussianBlobs(1200, 6, 5, 11, { separation: 12, noise: 0.03 }), minSamples: 3 },
    { data: gaussianBlobs(600, 3, 2, 5, { separation: 40 }), minSamples: 1 },
  ];
  for (const { data, minSamples } of cases) {
    const dense = mutualReachabilityMstDense(data.m, minSamples, 'euclidean');
    const kd = mutualReachabilityMstKdTree(data.m, minSamples, { k: 10 });
    assert.equal(kd.tree.from.length, data.m.rows - 1);
    assert.ok(kd.tree.weight.every(Number.isFinite));
    const rel = Math.abs(total(kd.tree.weight) - total(dense.tree.weight)) / total(dense.tree.weight);
    assert.ok(rel < 1e-6, `tree weight differs by ${rel} (minSamples ${minSamples})`);
    for (let i = 0; i < data.m.rows; i++) assert.ok(Math.abs(kd.core[i] - dense.core[i]) < 1e-5);
    assert.ok(kd.rounds >= 2 && kd.rounds <= Math.ceil(Math.log2(data.m.rows)) + 1, `rounds ${kd.rounds}`);
    assert.equal(kd.graph.k, 10);
    const a = hdbscanFromTree(dense.tree, { minClusterSize: 15 });
    const b = hdbscanFromTree(kd.tree, { minClusterSize: 15 });
    assert.equal(adjustedRandIndex(a.labels, b.labels), 1);
    assert.ok(adjustedRandIndex(b.labels, data.labels) > 0.85);
  }
});

test('k-d tree MST is a spanning tree on tiny and degenerate inputs', () => {
  const one = mutualReachabilityMstKdTree(matrixFromRows([[1, 2]]), 1);
  assert.equal(one.tree.from.length, 0);
  const same = matrixFromRows([
    [0, 0],
    [0, 0],
    [0, 0],
    [3, 4],
  ]);
  const r = mutualReachabilityMstKdTree(same, 1);
  assert.deepEqual([...r.tree.weight].sort(), [0, 0, 5]);
  const seen = new Set<number>();
  for (let e = 0; e < 3; e++) {
    seen.add(r.tree.from[e]);
    seen.add(r.tree.to[e]);
  }
  assert.equal(seen.size, 4);
});
