import assert from 'node:assert/strict';
import { test } from 'vitest';
import { matrix } from '../../src/cluster/matrix.js';
import { Rng } from '../../src/cluster/rng.js';
import { topicVectorRows, topicVectors } from '../../src/themes/model.js';

test('rows computed on demand (wide quarters) equal the stored clustering vectors to float32 rounding', () => {
  const rng = new Rng(4);
  const n = 50;
  const d = 24;
  const data = Float32Array.from({ length: n * d }, () => 3 * rng.normal());
  const topics = Array.from({ length: n }, (_, i) => ({
    topicId: `F${i}:q:t0`,
    firmId: `F${i}`,
    size: 1,
    keywords: [],
    name: '',
    centroid: data.subarray(i * d, (i + 1) * d),
  }));
  const extra = matrix(
    n,
    5,
    Float32Array.from({ length: n * 5 }, () => rng.normal()),
  );
  extra.data.fill(0, 0, 5); // a topic without keyword vector joins as its unit centroid alone
  for (const [withExtra, weight] of [
    [false, 1],
    [true, 1],
    [true, 0.5],
  ] as const) {
    const stored = topicVectors(topics, withExtra ? extra : undefined, weight);
    const computed = topicVectorRows(topics, matrix(n, d, data), withExtra ? extra : undefined, weight, 0);
    assert.equal(computed.cols, stored.cols);
    for (let i = 0; i < n; i++) {
      const r = computed.row(i);
      for (let c = 0; c < stored.cols; c++)
        assert.ok(Math.abs(r[c] - stored.data[i * stored.cols + c]) < 1e-6, `row ${i} col ${c}`);
    }
  }
});
