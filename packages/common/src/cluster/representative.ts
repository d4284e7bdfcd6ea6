/** Centroids of labelled groups and the members nearest each centroid. */
import { cosine, type Matrix, meanRow, rowOf } from './matrix.js';

/** Member indices of each label 0..nLabels−1 (label −1 is left out). */
export function groupMembers(labels: ArrayLike<number>, nLabels: number): number[][] {
  const groups: number[][] = Array.from({ length: nLabels }, () => []);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) groups[labels[i]].push(i);
  return groups;
}

export function centroids(m: Matrix, groups: readonly number[][]): Float32Array[] {
  return groups.map((g) => meanRow(m, g));
}

/** The `n` members most cosine-similar to `centroid`, best first; ties go to the lower index. */
export function nearestToCentroid(
  m: Matrix,
  members: readonly number[],
  centroid: ArrayLike<number>,
  n: number,
): number[] {
  return members
    .map((i) => ({ i, s: cosine(rowOf(m, i), centroid) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, n)
    .map((x) => x.i);
}
