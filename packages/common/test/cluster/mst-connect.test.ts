import assert from 'node:assert/strict';
import { test } from 'vitest';
import { adjustedRandIndex } from '../../src/cluster/agreement.js';
import { knnGraphOf, neighborSearch } from '../../src/cluster/ann.js';
import { hdbscanFromTree } from '../../src/cluster/hdbscan.js';
import { exactKnn } from '../../src/cluster/knn.js';
import { matrixFromRows } from '../../src/cluster/matrix.js';
import { mutualReachabilityMstDense } from '../../src/cluster/mst.js';
import { connectedMutualReachabilityMst } from '../../src/cluster/mst-connect.js';
import { gaussianBlobs } from './blobs.js';

const total = (w: Float64Array) => w.reduce((s, x) => s + x, 0);

test('neighbour search: exact and HNSW agree with exactKnn, and nearestTo finds external queries', () => {
  const { m } = gaussianBlobs(2500, 5, 8, 3);
  const want = exactKnn(m, 5, 'euclidean');
  const exact = knnGraphOf(neighborSearch(m, { metric: 'euclidean', exactBelow: 10000 }), 5);
  assert.deepEqual([...exact.indices], [...want.indices]);
  const hnsw = knnGraphOf(neighborSearch(m, { metric: 'euclidean' }), 5);
  let hits = 0;
  for (let i = 0; i < want.indices.length; i++) {
    const row = Math.floor(i / 5);
    const got = new Set(hnsw.indices.subarray(row * 5, row * 5 + 5));
    if (got.has(want.indices[i])) hits++;
  }
  assert.ok(hits / want.indices.length > 0.97, `HNSW recall ${hits / want.indices.length}`);
  const s = neighborSearch(
    matrixFromRows([
      [0, 0],
      [1, 0],
      [5, 5],
    ]),
    { metric: 'euclidean' },
  );
  const res = s.nearestTo(matrixFromRows([[4.9, 5]]), 2);
  assert.deepEqual([...res.indices], [2, 1]);
  assert.ok(Math.abs(res.distances[0] - 0.1) < 1e-6);
});

test('kNN MST joined across components equals the exact MST on separated blobs (weight and ARI)', () => {
  // k = 5 on well-separated blobs leaves the kNN graph in pieces; bridges must restore the exact tree.
  for (const exactBelow of [10000, 0]) {
    const { m, labels } = gaussianBlobs(1200, 6, 5, 11, { separation: 12, noise: 0.03 });
    const minSamples = 5;
    const dense = mutualReachabilityMstDense(m, minSamples, 'euclidean');
    const search = neighborSearch(m, { metric: 'euclidean', exactBelow });
    const g = knnGraphOf(search, 5);
    const joined = connectedMutualReachabilityMst(m, g, search, { minSamples });
    assert.ok(joined.components > 1, 'the kNN graph should be disconnected for this test to mean anything');
    assert.equal(joined.tree.from.length, m.rows - 1);
    assert.ok(joined.tree.weight.every(Number.isFinite));
    const rel = Math.abs(total(joined.tree.weight) - total(dense.tree.weight)) / total(dense.tree.weight);
    assert.ok(rel < 0.05, `tree weight differs by ${rel}`);
    const a = hdbscanFromTree(dense.tree, { minClusterSize: 15 });
    const b = hdbscanFromTree(joined.tree, { minClusterSize: 15 });
    const ari = adjustedRandIndex(a.labels, b.labels);
    assert.ok(ari > 0.98, `ARI kNN-MST vs exact ${ari} (exactBelow ${exactBelow})`);
    assert.ok(adjustedRandIndex(b.labels, labels) > 0.9);
  }
});

test('a big component apart from the largest is joined through its own outside index', () => {
  // Two blobs of 300 and 200 points far apart: the second is too big for the shared-index path.
  const { m } = gaussianBlobs(500, 2, 4, 5, { separation: 40 });
  const search = neighborSearch(m, { metric: 'euclidean' });
  const g = knnGraphOf(search, 6);
  const joined = connectedMutualReachabilityMst(m, g, search, { minSamples: 4, smallComponent: 50 });
  assert.equal(joined.components, 2);
  assert.equal(joined.bridges, 1);
  const dense = mutualReachabilityMstDense(m, 4, 'euclidean');
  const maxJoined = Math.max(...joined.tree.weight);
  const maxDense = Math.max(...dense.tree.weight);
  assert.ok(Math.abs(maxJoined - maxDense) / maxDense < 0.05, `${maxJoined} vs ${maxDense}`);
});
