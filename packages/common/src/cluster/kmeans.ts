/** k-means with k-means++ seeding (Arthur & Vassilvitskii 2007) and Lloyd iterations; seeded. */
import type { Matrix } from './matrix.js';
import { Rng } from './rng.js';

export interface KmeansResult {
  labels: Int32Array;
  centers: Float64Array;
  inertia: number;
  iterations: number;
}

export function kmeans(m: Matrix, k: number, o: { seed?: number; maxIter?: number } = {}): KmeansResult {
  const n = m.rows;
  const d = m.cols;
  if (k < 1 || k > n) throw new Error(`kmeans: k must be in [1, ${n}], got ${k}`);
  const rng = new Rng(o.seed ?? 42);
  const x = m.data;
  const centers = new Float64Array(k * d);
  const dist2 = (i: number, c: number): number => {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = x[i * d + t] - centers[c * d + t];
      s += v * v;
    }
    return s;
  };
  const first = rng.int(n);
  for (let t = 0; t < d; t++) centers[t] = x[first * d + t];
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = dist2(i, 0);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (const v of closest) total += v;
    let pick = n - 1;
    let r = rng.float() * total;
    for (let i = 0; i < n; i++) {
      r -= closest[i];
      if (r < 0) {
        pick = i;
        break;
      }
    }
    for (let t = 0; t < d; t++) centers[c * d + t] = x[pick * d + t];
    for (let i = 0; i < n; i++) closest[i] = Math.min(closest[i], dist2(i, c));
  }
  const labels = new Int32Array(n);
  let inertia = 0;
  let it = 0;
  for (; it < (o.maxIter ?? 100); it++) {
    let changed = it === 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const v = dist2(i, c);
        if (v < bestD) {
          bestD = v;
          best = c;
        }
      }
      if (labels[i] !== best) changed = true;
      labels[i] = best;
      inertia += bestD;
    }
    if (!changed) break;
    const counts = new Int32Array(k);
    const sums = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let t = 0; t < d; t++) sums[labels[i] * d + t] += x[i * d + t];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue; // an empty cluster keeps its centre
      for (let t = 0; t < d; t++) centers[c * d + t] = sums[c * d + t] / counts[c];
    }
  }
  return { labels, centers, inertia, iterations: it };
}
