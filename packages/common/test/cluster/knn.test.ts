import assert from 'node:assert/strict';
import { test } from 'vitest';
import { approximateKnn, exactKnn, knn } from '../../src/cluster/knn.js';
import { matrixFromRows, normalizeRows } from '../../src/cluster/matrix.js';
import { gaussianBlobs } from './blobs.js';

test('exact kNN on points of a line: neighbours, distances, ties to the lower index', () => {
  const m = matrixFromRows([[0], [1], [3], [4], [10]]);
  const g = exactKnn(m, 2, 'euclidean');
  assert.deepEqual([...g.indices], [1, 2, 0, 2, 3, 1, 2, 1, 3, 2]);
  assert.deepEqual([...g.distances], [1, 3, 1, 2, 1, 2, 1, 3, 6, 7]);
  // Points 1 and 2 are both at distance 1 from point 0: the lower index comes first.
  const tie = exactKnn(matrixFromRows([[0], [-1], [1]]), 2, 'euclidean');
  assert.deepEqual([...tie.indices.subarray(0, 2)], [1, 2]);
});

test('exact cosine kNN uses 1 − cos', () => {
  const m = matrixFromRows([
    [1, 0],
    [0, 2],
    [1, 1],
  ]);
  const g = exactKnn(m, 1, 'cosine');
  assert.deepEqual([...g.indices], [2, 2, 0]);
  assert.ok(Math.abs(g.distances[0] - (1 - Math.SQRT1_2)) < 1e-6);
});

test('HNSW kNN (usearch) recalls ≥ 0.98 of the exact neighbours and never returns the point itself', () => {
  const { m } = gaussianBlobs(3000, 10, 20, 3, { spread: 2 });
  const exact = exactKnn(m, 10, 'euclidean');
  const approx = approximateKnn(m, 10, { metric: 'euclidean' });
  let hits = 0;
  for (let i = 0; i < m.rows; i++) {
    const truth = new Set(exact.indices.subarray(i * 10, i * 10 + 10));
    for (const j of approx.indices.subarray(i * 10, i * 10 + 10)) {
      assert.notEqual(j, i);
      if (truth.has(j)) hits++;
    }
  }
  assert.ok(hits / (m.rows * 10) >= 0.98, `recall ${hits / (m.rows * 10)}`);
  // Distances agree with the exact ones for the same neighbour.
  assert.ok(
    Math.abs(approx.distances[0] - exact.distances[0]) < 1e-3 || approx.indices[0] !== exact.indices[0],
  );
  // knn() switches to the index at the threshold.
  assert.deepEqual(knn(m, 5, { metric: 'euclidean', exactBelow: 10 }).k, 5);
});

test('kNN rejects k ≥ n', () => {
  assert.throws(() => exactKnn(matrixFromRows([[0], [1]]), 2), /needs more than 2 points/);
});

test('cosine kNN of unit rows through the inner-product kernel matches the cosine kernel', () => {
  const unit = normalizeRows(gaussianBlobs(300, 5, 40, 3).m);
  const cos = exactKnn(unit, 14, 'cosine');
  const ip = exactKnn(unit, 14, 'cosine', { unitRows: true });
  let same = 0;
  for (let i = 0; i < cos.indices.length; i++) {
    if (cos.indices[i] === ip.indices[i]) same++;
    assert.ok(Math.abs(cos.distances[i] - ip.distances[i]) < 1e-6);
  }
  // Only exact ties (none here) may swap places.
  assert.equal(same, cos.indices.length);
});
