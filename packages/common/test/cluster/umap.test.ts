import assert from 'node:assert/strict';
import { test } from 'vitest';
import { adjustedRandIndex } from '../../src/cluster/agreement.js';
import { hdbscan } from '../../src/cluster/hdbscan.js';
import { exactKnn } from '../../src/cluster/knn.js';
import { findAbParams, fuzzySimplicialSet, smoothKnnDist, umap } from '../../src/cluster/umap.js';
import { gaussianBlobs } from './blobs.js';

test('find_ab_params matches umap-learn for min_dist 0.1 and 0.5', () => {
  const p1 = findAbParams(1, 0.1);
  assert.ok(Math.abs(p1.a - 1.577) < 2e-3 && Math.abs(p1.b - 0.8951) < 2e-3, JSON.stringify(p1));
  const p5 = findAbParams(1, 0.5);
  assert.ok(Math.abs(p5.a - 0.583) < 2e-3 && Math.abs(p5.b - 1.334) < 2e-3, JSON.stringify(p5));
});

test('smooth kNN distances: ρ is the nearest distance and Σ exp(−(d−ρ)/σ) = log2(k)', () => {
  const { m } = gaussianBlobs(200, 4, 10, 5);
  const g = exactKnn(m, 14, 'euclidean');
  const { sigmas, rhos } = smoothKnnDist(g, 15);
  for (const i of [0, 17, 199]) {
    assert.equal(rhos[i], g.distances[i * 14]);
    let s = 0;
    for (let j = 0; j < 14; j++) s += Math.exp(-Math.max(0, g.distances[i * 14 + j] - rhos[i]) / sigmas[i]);
    assert.ok(Math.abs(s - Math.log2(15)) < 1e-4, `point ${i}: ${s}`);
  }
});

test('the fuzzy simplicial set is symmetric with memberships in (0, 1] and 1 to the nearest neighbour', () => {
  const { m } = gaussianBlobs(150, 3, 6, 9);
  const g = exactKnn(m, 9, 'euclidean');
  const graph = fuzzySimplicialSet(g, 10);
  const w = new Map<string, number>();
  for (let i = 0; i < graph.n; i++)
    for (let p = graph.indptr[i]; p < graph.indptr[i + 1]; p++)
      w.set(`${i},${graph.indices[p]}`, graph.weights[p]);
  for (const [key, v] of w) {
    const [i, j] = key.split(',');
    assert.ok(v > 0 && v <= 1 + 1e-12);
    assert.equal(w.get(`${j},${i}`), v);
  }
  assert.equal(w.get(`0,${g.indices[0]}`), 1);
});

test('UMAP to 5-d keeps Gaussian blobs apart (ARI 1 after HDBSCAN) and is reproducible for a seed', () => {
  const { m, labels } = gaussianBlobs(600, 6, 30, 21, { spread: 1, separation: 6 });
  for (const init of ['spectral', 'pca'] as const) {
    const e = umap(m, { nComponents: 5, minDist: 0, metric: 'euclidean', seed: 7, init, nEpochs: 200 });
    assert.equal(e.rows, 600);
    assert.equal(e.cols, 5);
    const res = hdbscan(e, { minClusterSize: 15 });
    assert.equal(adjustedRandIndex(res.labels, labels), 1, init);
  }
  const a = umap(m, { seed: 3, nEpochs: 50 });
  const b = umap(m, { seed: 3, nEpochs: 50 });
  const c = umap(m, { seed: 4, nEpochs: 50 });
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, c.data);
});

test('UMAP on fewer points than components returns them as they are', () => {
  const e = umap({ rows: 3, cols: 2, data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, { nComponents: 5 });
  assert.deepEqual([...e.data.subarray(0, 5)], [1, 2, 0, 0, 0]);
});
