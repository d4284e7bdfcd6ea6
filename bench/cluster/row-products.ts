/**
 * The wide PCA's product kernel (`rowProducts`, 4 × 4 register blocks) against the plain loop it replaced (each
 * row's value times the k weights of its coordinate, accumulated in an array): CPU seconds and G multiply-adds
 * per CPU second, median of runs, on random rows of the served embedder's width against 32 directions.
 *
 *   node --import @callthemes/common/register-source bench/cluster/row-products.ts [--rows 4000] [--width 4096] [--k 32] [--runs 5]
 */
import { Rng, rowProducts } from '@callthemes/common/cluster';
import { benchFlags } from '../flags.js';

const { rows, width, k, runs } = benchFlags({ rows: 4000, width: 4096, k: 32, runs: 5 });
const rng = new Rng(1);
const a = Float32Array.from({ length: rows * width }, () => rng.normal());
const b = Float64Array.from({ length: k * width }, () => rng.normal());
const byCoordinate = new Float64Array(width * k);
for (let j = 0; j < k; j++) for (let c = 0; c < width; c++) byCoordinate[c * k + j] = b[j * width + c];

function plainLoop(out: Float64Array): void {
  const acc = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    acc.fill(0);
    for (let c = 0; c < width; c++) {
      const v = a[i * width + c];
      for (let j = 0; j < k; j++) acc[j] += v * byCoordinate[c * k + j];
    }
    out.set(acc, i * k);
  }
}

const cpuSeconds = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const plainOut = new Float64Array(rows * k);
const blockedOut = new Float64Array(rows * k);
const plain: number[] = [];
const blocked: number[] = [];
for (let r = 0; r < runs; r++) {
  plain.push(cpuSeconds(() => plainLoop(plainOut)));
  blocked.push(cpuSeconds(() => rowProducts(a, rows, b, k, width, blockedOut)));
}
let worst = 0;
for (let i = 0; i < plainOut.length; i++) worst = Math.max(worst, Math.abs(plainOut[i] - blockedOut[i]));
const madds = (rows * width * k) / 1e9;
for (const [name, xs] of [
  ['plain loop', plain],
  ['rowProducts', blocked],
] as const)
  process.stdout.write(
    `${name}: ${median(xs).toFixed(3)} CPU s (median of ${xs.length}), ${(madds / median(xs)).toFixed(2)} G multiply-adds per CPU s\n`,
  );
process.stdout.write(
  `speed-up ${(median(plain) / median(blocked)).toFixed(2)}×; largest difference ${worst.toExponential(1)}\n`,
);
