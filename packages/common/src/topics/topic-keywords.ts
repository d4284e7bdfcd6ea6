/**
 * A topic's keyword list, in the fill order every topic follows:
 *   1. well-supported terms: in the firm's vocabulary and in ≥ minTopicDf of the topic's sentences, by c-TF-IDF;
 *   2. lower-support terms: the topic's other vocabulary terms, by c-TF-IDF (both tiers fill to topKeywords);
 *   3. words of the topic's representative sentences that the firm-level document-frequency rule kept out of
 *      the vocabulary (said in one sentence of the call), from the representatives that share a word with
 *      the list — only until the topic has the minimum (MIN_TOPIC_KEYWORDS), since such a word has no
 *      support beyond one sentence.
 * Every tier uses the same terms of a sentence (termsOf with the call's stop words: function words, call filler,
 * speaker and firm names), so no tier brings back a word the others exclude. A topic that still has fewer
 * than the minimum is not described at all (the model makes its sentences outliers).
 */
import type { SparseRow } from '../cluster/ctfidf.js';

/** The fewest keywords a shipped topic has. */
export const MIN_TOPIC_KEYWORDS = 5;

export interface RankedTerm {
  /** A vocabulary id, or −1 for a word from tier 3 (not in the vocabulary). */
  term: number;
  text: string;
  /** c-TF-IDF weight; 0 for tier 3, which has none. */
  score: number;
}

/** Tiers 1 and 2: the topic's vocabulary terms with a positive weight, well-supported first, at most `n`. */
export function rankBySupport(
  weights: SparseRow,
  support: SparseRow | null,
  minTopicDf: number,
  n: number,
  termText: readonly string[],
): RankedTerm[] {
  return [...weights.entries()]
    .filter(([, w]) => w > 0)
    .map(([term, score]) => ({
      term,
      score,
      tier: support ? Math.min(support.get(term) ?? 0, minTopicDf) : 0,
    }))
    .sort((a, b) => b.tier - a.tier || b.score - a.score || a.term - b.term)
    .slice(0, n)
    .map(({ term, score }) => ({ term, text: termText[term], score }));
}

/**
 * Tier 3: appends single words of the representative sentences that no entry of the list shows yet, until it
 * has `target` entries. Only sentences that share a word with the list are read, those sharing the most first
 * (ties: the better representative), each in its own word order: a word said beside the topic's keywords is
 * about what they are about, one from a sentence without them (often a greeting the topic also caught) is
 * not. On ECTSum 2021Q2, plain representative order lowered the quarter's NPMI and this rule did not
 * (BENCHMARKS.md). Only words: a two-word term of one sentence adds no word the list cannot already show.
 * Returns a new list.
 */
export function fillFromRepresentatives(
  ranked: readonly RankedTerm[],
  representativeTerms: readonly (readonly string[])[],
  target: number,
): RankedTerm[] {
  const out = [...ranked];
  const words = new Set(out.flatMap((r) => r.text.split(' ')));
  const shared = representativeTerms.map((terms) => new Set(terms.filter((t) => words.has(t))).size);
  const order = representativeTerms
    .map((_, i) => i)
    .filter((i) => shared[i] > 0)
    .sort((a, b) => shared[b] - shared[a] || a - b);
  for (const i of order) {
    for (const t of representativeTerms[i]) {
      if (out.length >= target) return out;
      if (t.includes(' ') || words.has(t)) continue;
      words.add(t);
      out.push({ term: -1, text: t, score: 0 });
    }
  }
  return out;
}
