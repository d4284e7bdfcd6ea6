import assert from 'node:assert/strict';
import { centredUnitRows, matrix, rowSource } from '@callthemes/common/cluster';
import { test } from 'vitest';

test('centredUnitRows: each row minus the column means, at unit length; a row equal to the mean stays zero', () => {
  // Column means (2, 1): rows minus them are (−1, −1), (1, 1), (0, 0).
  const src = centredUnitRows(rowSource(matrix(3, 2, Float32Array.of(1, 0, 3, 2, 2, 1))));
  const h = Math.SQRT1_2;
  const rows = [0, 1, 2].map((i) => Array.from(src.row(i)));
  for (const [got, want] of [
    [rows[0], [-h, -h]],
    [rows[1], [h, h]],
    [rows[2], [0, 0]],
  ])
    for (let c = 0; c < 2; c++) assert.ok(Math.abs(got[c] - want[c]) < 1e-6, `${got} vs ${want}`);
  assert.equal(src.rows, 3);
  assert.equal(src.cols, 2);
});
