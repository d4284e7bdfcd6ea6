/**
 * Offline finance-aware sentiment: a general valence lexicon (VADER's) adapted with finance word lists,
 * plus the rules that matter in company reporting:
 *   1. direction × metric: "costs fell" is good news, "revenue fell" bad; the pair scores as one unit and
 *      the two words' own valences are not counted again;
 *   2. comparisons: a quantity after "from / versus / compared to" is the baseline, not the news, and a
 *      metric stated against a baseline scores by the numbers ("EPS of 0.21 versus 0.12");
 *   3. negation: a negator within the three preceding words flips and damps a score ("did not decline");
 *   4. contrast: after "but"/"however" a clause weighs more, a "despite …," or "partially offset by …"
 *      clause weighs less.
 * The summed score is squashed to a compound in (-1, 1) as VADER does; |compound| ≥ threshold is polar.
 */
import {
  BAD_METRICS,
  BASELINE_ANCHORS,
  BOOSTERS,
  CONTRASTS,
  DIRECTION,
  FILLER_WORDS,
  FINANCE_VALENCE,
  GOOD_METRICS,
  NEGATORS,
  NEUTRAL_IN_FINANCE,
} from './finance-terms.js';
import type { SentimentClassifier, SentimentLabel, SentimentResult } from './types.js';
import { vaderLexicon } from './vader-lexicon.js';

export const LEXICON_MODEL = 'lexicon-vader-fin-v1';

export interface LexiconOptions {
  /** |compound| at or above this is positive/negative (default 0.25, chosen on the dev half of the evaluation set). */
  threshold?: number;
}

interface Token {
  word: string;
  /** Hard punctuation (. ; : ! ?) ends negation and pairing scope; commas do not; brackets are dropped. */
  hardBreak: boolean;
  comma: boolean;
  number: boolean;
}

const NEGATION_SCALAR = -0.74;
const PAIR_VALENCE = 1.8;
const COMPOUND_ALPHA = 15;
const PAIR_WINDOW_BEFORE = 8;
const PAIR_WINDOW_AFTER = 5;
const NEGATION_WINDOW = 3;
/** General-lexicon valences weigh less than finance ones: descriptive text is full of mildly "nice" words. */
const GENERAL_WEIGHT = 0.6;
const PARTIAL = new Set(['partially', 'partly', 'somewhat', 'slightly']);
const FILLER = new Set(FILLER_WORDS);

const PUNCT_RE = /[a-z]+(?:['’-][a-z]+)*|\d+(?:[.,]\d+)*%?|[.;:!?]|,/g;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // "EUR0 .9 m" (a split decimal, common in wire text) is one number.
  const clean = text
    .toLowerCase()
    .replace(/’/g, "'")
    .replace(/(\d) \.(\d)/g, '$1.$2');
  for (const m of clean.matchAll(PUNCT_RE)) {
    const w = m[0];
    if (w === ',') out.push({ word: w, hardBreak: false, comma: true, number: false });
    else if (/^[.;:!?]$/.test(w)) out.push({ word: w, hardBreak: true, comma: false, number: false });
    // A year ("in 2009") is a date, not an amount: it is skipped like a filler word.
    else if (w.length === 4 && /^(19|20)\d\d$/.test(w))
      out.push({ word: 'YEAR', hardBreak: false, comma: false, number: false });
    else out.push({ word: w, hardBreak: false, comma: false, number: /^\d/.test(w) });
  }
  return out;
}

export class LexiconClassifier implements SentimentClassifier {
  readonly model = LEXICON_MODEL;
  private readonly valence: Map<string, number>;
  private readonly anchors = new Set(BASELINE_ANCHORS);
  private ones: number[] = new Array(64).fill(1);
  private readonly metric = new Map<string, 1 | -1>();
  private readonly negators = new Set(NEGATORS);
  private readonly contrasts = new Set(CONTRASTS);
  private readonly threshold: number;

  constructor(opts: LexiconOptions = {}) {
    this.threshold = opts.threshold ?? 0.25;
    this.valence = new Map(vaderLexicon());
    for (const w of NEUTRAL_IN_FINANCE) this.valence.delete(w);
    for (const [w, v] of this.valence) this.valence.set(w, v * GENERAL_WEIGHT);
    for (const [w, v] of Object.entries(FINANCE_VALENCE)) this.valence.set(w, v);
    for (const w of GOOD_METRICS) this.metric.set(w, 1);
    for (const w of BAD_METRICS) this.metric.set(w, -1);
  }

  async classify(texts: readonly string[]): Promise<SentimentResult[]> {
    return texts.map((t) => this.classifyOne(t));
  }

  classifyOne(text: string): SentimentResult {
    const compound = this.compound(text);
    const label: SentimentLabel =
      compound >= this.threshold ? 'positive' : compound <= -this.threshold ? 'negative' : 'neutral';
    const score = label === 'neutral' ? 1 - Math.abs(compound) : Math.abs(compound);
    return { label, score: Math.round(score * 1e4) / 1e4 };
  }

  /** The squashed score in (-1, 1). */
  compound(text: string): number {
    const tokens = tokenize(text);
    const weights = this.clauseWeights(tokens);
    // Quantities that are a comparison's baseline ("up from a loss of") are neither news nor pairable.
    const used = this.baselines(tokens);
    let sum = 0;
    // Pass 1: direction × metric pairs.
    for (let i = 0; i < tokens.length; i++) {
      const dir = DIRECTION[tokens[i].word];
      if (dir === undefined || used[i]) continue;
      const j = this.nearestMetric(tokens, i, used);
      if (j < 0) continue;
      used[i] = 1;
      this.markMetricRun(tokens, j, used);
      let s = dir * this.metricPolarity(tokens, j) * PAIR_VALENCE * this.booster(tokens, Math.min(i, j));
      if (this.negated(tokens, Math.min(i, j))) s *= NEGATION_SCALAR;
      sum += s * weights[i];
    }
    // Pass 2: a metric stated against a baseline without a direction word ("profit was 9.8 versus 7.1").
    for (let i = 0; i < tokens.length; i++) {
      if (used[i] || !this.metric.has(tokens[i].word) || DIRECTION[tokens[i].word] !== undefined) continue;
      const dir = this.comparedDirection(tokens, i);
      if (dir === 0) continue;
      this.markMetricRun(tokens, i, used);
      sum += dir * this.metricPolarity(tokens, i) * PAIR_VALENCE * weights[i];
    }
    // Pass 3: single words.
    for (let i = 0; i < tokens.length; i++) {
      if (used[i]) continue;
      const v = this.valence.get(tokens[i].word);
      if (v === undefined) continue;
      let s = v * this.booster(tokens, i);
      if (this.negated(tokens, i)) s *= NEGATION_SCALAR;
      sum += s * weights[i];
    }
    return sum / Math.sqrt(sum * sum + COMPOUND_ALPHA);
  }

  /** Marks the metric at `j` and the words of the same quantity next to it ("earnings per share EPS"). */
  private markMetricRun(tokens: Token[], j: number, used: Uint8Array): void {
    used[j] = 1;
    const part = (k: number) => this.metric.has(tokens[k].word) || tokens[k].word === 'per';
    for (let k = j - 1; k >= 0 && part(k); k--) used[k] = 1;
    for (let k = j + 1; k < tokens.length && part(k); k++) used[k] = 1;
  }

  /** Whether the word at `a` opens a comparison baseline; `from` only after a number or a direction word. */
  private isAnchor(tokens: Token[], a: number): boolean {
    const w = tokens[a].word;
    if (!this.anchors.has(w)) return false;
    if (w !== 'from') return true;
    for (let k = a - 1; k >= Math.max(0, a - 4); k--) {
      if (tokens[k].hardBreak) return false;
      if (tokens[k].number || DIRECTION[tokens[k].word] !== undefined) return true;
    }
    return false;
  }

  /** Marks metric words that follow a baseline anchor closely ("compared to a net loss of"). */
  private baselines(tokens: Token[]): Uint8Array {
    const mark = new Uint8Array(tokens.length);
    for (let a = 0; a < tokens.length; a++) {
      if (!this.isAnchor(tokens, a)) continue;
      let seen = 0;
      for (let k = a + 1; k < tokens.length && seen < 4; k++) {
        const t = tokens[k];
        if (t.hardBreak || t.comma || t.number) break;
        if (FILLER.has(t.word)) continue;
        seen++;
        if (this.metric.has(t.word)) mark[k] = 1;
      }
    }
    return mark;
  }

  /**
   * For a metric followed by "A … versus/compared to/from … B": +1 when A > B, -1 when A < B, 0 when there
   * is no such comparison. A baseline of the opposite kind ("profit … versus a loss") decides by itself.
   */
  private comparedDirection(tokens: Token[], m: number): number {
    const num = (k: number) => Number(tokens[k].word.replace(/[,%]/g, ''));
    let k = m + 1;
    let a = Number.NaN;
    for (let seen = 0; k < tokens.length && seen < 6; k++) {
      if (tokens[k].hardBreak) return 0;
      if (tokens[k].number) {
        a = num(k);
        break;
      }
      if (!tokens[k].comma) seen++;
    }
    if (Number.isNaN(a)) return 0;
    let anchor = -1;
    for (let j = k + 1, seen = 0; j < tokens.length && seen < 4; j++) {
      if (tokens[j].hardBreak) return 0;
      if (this.isAnchor(tokens, j)) {
        anchor = j;
        break;
      }
      if (!tokens[j].comma && !tokens[j].number) seen++;
    }
    if (anchor < 0) return 0;
    const own = this.metric.get(tokens[m].word)!;
    for (let j = anchor + 1, seen = 0; j < tokens.length && seen < 6; j++) {
      const t = tokens[j];
      if (t.hardBreak) return 0;
      const other = this.metric.get(t.word);
      // A loss now against a profit then reads as "more loss"; a profit against a loss as "more profit".
      if (other !== undefined && other !== own) return 1;
      if (t.number) {
        const b = num(j);
        return Number.isNaN(b) || a === b ? 0 : a > b ? 1 : -1;
      }
      if (!t.comma) seen++;
    }
    return 0;
  }

  /** A metric word near the direction word at `i`, within the same sentence part; -1 when none. */
  private nearestMetric(tokens: Token[], i: number, used: Uint8Array): number {
    const look = (step: 1 | -1, limit: number): [number, number] => {
      let dist = 0;
      for (let j = i + step; j >= 0 && j < tokens.length; j += step) {
        const t = tokens[j];
        if (t.hardBreak) break;
        if (t.comma || t.number || FILLER.has(t.word)) continue;
        dist++;
        if (dist > limit) break;
        if (!used[j] && this.metric.has(t.word) && DIRECTION[t.word] === undefined) return [j, dist];
      }
      return [-1, Number.POSITIVE_INFINITY];
    };
    const [before, db] = look(-1, PAIR_WINDOW_BEFORE);
    const [after, da] = look(1, PAIR_WINDOW_AFTER);
    if (before < 0) return after;
    if (after < 0) return before;
    return da < db ? after : before;
  }

  /** +1 when more is better, -1 when worse; "cost of sales" and the like are costs whatever the noun. */
  private metricPolarity(tokens: Token[], j: number): 1 | -1 {
    for (let k = j - 1; k >= Math.max(0, j - 4); k--) {
      const w = tokens[k].word;
      if (tokens[k].hardBreak || tokens[k].comma) break;
      if (
        (w === 'cost' || w === 'costs' || w === 'expense' || w === 'expenses') &&
        tokens[k + 1]?.word === 'of'
      )
        return -1;
    }
    return this.metric.get(tokens[j].word) ?? 1;
  }

  private booster(tokens: Token[], i: number): number {
    let f = 1;
    for (let k = i - 1; k >= Math.max(0, i - 2); k--) {
      const b = BOOSTERS[tokens[k].word];
      if (b !== undefined) f *= b;
      if (tokens[k].hardBreak || tokens[k].comma) break;
    }
    return f;
  }

  private negated(tokens: Token[], i: number): boolean {
    let seen = 0;
    for (let k = i - 1; k >= 0 && seen < NEGATION_WINDOW; k--) {
      const t = tokens[k];
      if (t.hardBreak || t.comma) return false;
      if (t.number) continue;
      seen++;
      if (this.negators.has(t.word)) {
        // "not only … but": not a negation.
        return !(t.word === 'not' && tokens[k + 1]?.word === 'only');
      }
    }
    return false;
  }

  /**
   * Per-token clause weights: after "but"/"however"/"yet" ×1.5 and before it ×0.5; a clause opened by
   * "despite"/"although"/"though" (or a sentence-opening "while") up to its comma ×0.5; "offset by …" to the
   * next comma or end ×0.5. Most sentences have no contrast: they get one shared array of ones.
   */
  private clauseWeights(tokens: Token[]): ArrayLike<number> {
    let w: number[] | null = null;
    for (let c = 0; c < tokens.length; c++) {
      const word = tokens[c].word;
      // A sentence opening "While X, Y" concedes X: treated like "despite".
      const concession = c === 0 && word === 'while';
      if (!this.contrasts.has(word) && !concession) continue;
      w ??= new Array(tokens.length).fill(1);
      if (word === 'but' || word === 'however' || word === 'yet') {
        for (let k = 0; k < c; k++) w[k] *= 0.5;
        for (let k = c + 1; k < tokens.length; k++) w[k] *= 1.5;
      } else {
        // "partially offset by higher costs" is a footnote to what came before.
        const factor = word === 'offset' && PARTIAL.has(tokens[c - 1]?.word ?? '') ? 0.3 : 0.5;
        for (let k = c + 1; k < tokens.length && !tokens[k].comma && !tokens[k].hardBreak; k++)
          w[k] *= factor;
      }
    }
    if (w) return w;
    if (this.ones.length < tokens.length) this.ones = new Array(tokens.length * 2).fill(1);
    return this.ones;
  }
}
