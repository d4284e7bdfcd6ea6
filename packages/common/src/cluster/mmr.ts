/** Maximal marginal relevance (Carbonell & Goldstein 1998), as BERTopic's MaximalMarginalRelevance uses it. */
import { cosine } from './matrix.js';

/**
 * Picks `topN` candidates: first the one most similar to `query`, then repeatedly the one maximising
 * (1 − diversity) · sim(query) − diversity · max sim(already picked). Returns candidate indices in pick order.
 */
export function mmr(
  query: ArrayLike<number>,
  candidates: readonly ArrayLike<number>[],
  topN: number,
  diversity: number,
): number[] {
  const n = candidates.length;
  if (n === 0 || topN <= 0) return [];
  const simQ = candidates.map((c) => cosine(c, query));
  const picked: number[] = [];
  const maxSimPicked = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const used = new Uint8Array(n);
  let first = 0;
  for (let i = 1; i < n; i++) if (simQ[i] > simQ[first]) first = i;
  picked.push(first);
  used[first] = 1;
  while (picked.length < Math.min(topN, n)) {
    const last = candidates[picked[picked.length - 1]];
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      maxSimPicked[i] = Math.max(maxSimPicked[i], cosine(candidates[i], last));
      const score = (1 - diversity) * simQ[i] - diversity * maxSimPicked[i];
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    picked.push(best);
    used[best] = 1;
  }
  return picked;
}
