import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'vitest';
import { Rng } from '../../src/cluster/rng.js';
import { rowProducts } from '../../src/cluster/row-products.js';
import { rowProductsPool, sharedFloat32 } from '../../src/cluster/row-products-pool.js';

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

test('rowProductsPool: two threads give the one-thread products exactly, for every split of the rows', () => {
  const rng = new Rng(5);
  const width = 21;
  const a = sharedFloat32(41 * width);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  const b = Float64Array.from({ length: 6 * width }, () => rng.normal());
  const pool = rowProductsPool([a], b.length, 41 * 6, 2);
  try {
    pool.b.set(b);
    for (const rows of [41, 8, 5, 1]) {
      pool.run(0, rows, 6, width);
      const alone = new Float64Array(rows * 6);
      rowProducts(a, rows, b, 6, width, alone);
      assert.deepEqual(pool.out.subarray(0, rows * 6), alone, `${rows} rows`);
    }
    if (availableParallelism() > 1) assert.equal(pool.threads, 2, 'the worker took its share');
  } finally {
    pool.close();
  }
  // Unshared arrays (or one thread) run on the calling thread.
  const plain = rowProductsPool([new Float32Array(a)], b.length, 41 * 6);
  plain.b.set(b);
  plain.run(0, 41, 6, width);
  assert.equal(plain.threads, 1);
});
