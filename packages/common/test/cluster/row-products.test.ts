import assert from 'node:assert/strict';
import { test } from 'vitest';
import { Rng } from '../../src/cluster/rng.js';
import { rowProducts } from '../../src/cluster/row-products.js';

test('rowProducts equals the plain double loop, for every remainder of the 4 × 4 blocks', () => {
  const rng = new Rng(3);
  for (const [aRows, bRows, width] of [
    [9, 7, 13],
    [4, 4, 1],
    [1, 1, 5],
    [6, 10, 33],
  ]) {
    const a = Float32Array.from({ length: aRows * width }, () => rng.normal());
    const b = Float64Array.from({ length: bRows * width }, () => rng.normal());
    const out = new Float64Array(aRows * bRows);
    rowProducts(a, aRows, b, bRows, width, out);
    for (let i = 0; i < aRows; i++)
      for (let j = 0; j < bRows; j++) {
        let s = 0;
        for (let c = 0; c < width; c++) s += a[i * width + c] * b[j * width + c];
        assert.ok(Math.abs(out[i * bRows + j] - s) < 1e-12, `${aRows}×${bRows}×${width} at (${i}, ${j})`);
      }
  }
  assert.throws(() => rowProducts(new Float32Array(3), 2, new Float64Array(2), 1, 2, new Float64Array(2)));
});
