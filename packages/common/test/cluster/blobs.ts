/** Seeded Gaussian blobs with known labels, for clustering tests. */
import type { Matrix } from '../../src/cluster/matrix.js';
import { Rng } from '../../src/cluster/rng.js';

export function gaussianBlobs(
  n: number,
  k: number,
  dim: number,
  seed: number,
  o: { spread?: number; separation?: number; noise?: number } = {},
): { m: Matrix; labels: Int32Array } {
  const rng = new Rng(seed);
  const sep = o.separation ?? 10;
  const centers = Array.from({ length: k }, () => Array.from({ length: dim }, () => rng.normal() * sep));
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const nNoise = Math.round(n * (o.noise ?? 0));
  for (let i = 0; i < n; i++) {
    if (i >= n - nNoise) {
      // Uniform background noise over the blobs' bounding range.
      labels[i] = -1;
      for (let d = 0; d < dim; d++) data[i * dim + d] = (rng.float() * 2 - 1) * sep * 2.5;
      continue;
    }
    const c = i % k;
    labels[i] = c;
    for (let d = 0; d < dim; d++) data[i * dim + d] = centers[c][d] + rng.normal() * (o.spread ?? 1);
  }
  return { m: { rows: n, cols: dim, data }, labels };
}
