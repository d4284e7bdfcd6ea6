import assert from 'node:assert/strict';
import { test } from 'vitest';
import { matrix } from '../../src/cluster/matrix.js';
import { fitPca, projectPca } from '../../src/cluster/pca.js';
import { Rng } from '../../src/cluster/rng.js';

test('PCA recovers the axes of an anisotropic cloud and their variances', () => {
  // Variances 9, 4, 1, 0.01 along e2, e0, e3, e1 (by construction), 20,000 points.
  const rng = new Rng(7);
  const n = 20000;
  const sd = [2, 0.1, 3, 1];
  const data = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) for (let d = 0; d < 4; d++) data[i * 4 + d] = 5 + sd[d] * rng.normal();
  const m = matrix(n, 4, data);
  const model = fitPca(m, 3);
  const axis = model.components.map((v) => [...v].findIndex((x) => Math.abs(x) > 0.99));
  assert.deepEqual(axis, [2, 0, 3]);
  assert.ok(Math.abs(model.variances[0] - 9) < 0.3 && Math.abs(model.variances[1] - 4) < 0.15);
  assert.ok(Math.abs(model.totalVariance - (9 + 4 + 1 + 0.01)) < 0.4);
  const p = projectPca(m, model);
  assert.equal(p.cols, 3);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += p.data[i * 3] / n;
  assert.ok(Math.abs(mean) < 1e-3, 'projections are centred');
  // Same seed, sample and data → identical components; a row sample gives nearly the same axes.
  assert.deepEqual(fitPca(m, 3).components, model.components);
  const sampled = fitPca(m, 3, { maxRows: 5000 });
  assert.ok(Math.abs(sampled.components[0][2]) > 0.99);
});
