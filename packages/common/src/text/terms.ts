/** Terms for keyword counting: word n-grams that contain no stop word and no token without a letter. */
import { tokenize } from './tokens.js';

export interface TermOptions {
  /** Longest n-gram (default 2). */
  ngramMax?: number;
  stopWords?: ReadonlySet<string>;
  /** Shortest token kept, in characters (default 2, like scikit-learn's token pattern). */
  minTokenLength?: number;
}

/** Strips possessive endings and a trailing percent sign so "company's" counts as "company". */
function normaliseToken(t: string): string {
  return t.replace(/['’]s$/, '').replace(/%$/, '');
}

export function termsOf(text: string, o: TermOptions = {}): string[] {
  const stop = o.stopWords;
  const minLen = o.minTokenLength ?? 2;
  const maxN = o.ngramMax ?? 2;
  const tokens = tokenize(text).map(normaliseToken);
  const ok = tokens.map((t) => t.length >= minLen && /[a-z]/.test(t) && !stop?.has(t));
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!ok[i]) continue;
    out.push(tokens[i]);
    let gram = tokens[i];
    for (let n = 2; n <= maxN && i + n - 1 < tokens.length && ok[i + n - 1]; n++) {
      gram += ` ${tokens[i + n - 1]}`;
      out.push(gram);
    }
  }
  return out;
}

/**
 * The words of a text that are not stop words, in order, for embedding: what a sentence is about without the
 * function words and call speech ("I think", "kind of", "Q3") that every call says. The text itself when no
 * word is left, so a sentence of pure call speech still gets a vector.
 */
export function contentText(text: string, stopWords: ReadonlySet<string>): string {
  const kept = tokenize(text).filter((t) => !stopWords.has(normaliseToken(t)));
  return kept.length > 0 ? kept.join(' ') : text;
}
