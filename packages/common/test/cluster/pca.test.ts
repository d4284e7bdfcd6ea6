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

test('wide rows (more than 512 columns): the sampled subspace iteration finds the leading components of the covariance', () => {
  // A hidden 8-d signal of variances 64, 49, …, 1 spread over 1,024 coordinates by a random orthonormal map,
  // plus isotropic noise of variance 0.01 per coordinate; 1,500 rows.
  const rng = new Rng(11);
  const n = 1500;
  const d = 1024;
  const k = 8;
  const basis = Array.from({ length: k }, () => Float64Array.from({ length: d }, () => rng.normal()));
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < a; b++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += basis[a][c] * basis[b][c];
      for (let c = 0; c < d; c++) basis[a][c] -= s * basis[b][c];
    }
    let s = 0;
    for (let c = 0; c < d; c++) s += basis[a][c] ** 2;
    for (let c = 0; c < d; c++) basis[a][c] /= Math.sqrt(s);
  }
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < d; c++) data[i * d + c] = 0.1 * rng.normal();
    for (let a = 0; a < k; a++) {
      const z = (k - a) * rng.normal();
      for (let c = 0; c < d; c++) data[i * d + c] += z * basis[a][c];
    }
  }
  const m = matrix(n, d, data);
  const model = fitPca(m, 4);
  // Each of the 4 leading components is the hidden direction of the same rank (|cosine| near 1).
  model.components.forEach((v, a) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += v[c] * basis[a][c];
    assert.ok(Math.abs(s) > 0.98, `component ${a}: |cos| ${Math.abs(s)}`);
  });
  assert.ok(Math.abs(model.variances[0] - 64) < 64 * 0.1, `variance ${model.variances[0]}`);
  // The projection equals the centred dot product with each component.
  const p = projectPca(m, model);
  for (const i of [0, 1234, n - 1])
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (data[i * d + c] - model.mean[c]) * model.components[j][c];
      assert.ok(Math.abs(p.data[i * 4 + j] - s) < 1e-3 * Math.max(1, Math.abs(s)));
    }
});
