/** Word tokens for counting, keywords and embeddings: lowercase, letters/digits with inner ' - . & %. */

const TOKEN_RE = /[a-z0-9]+(?:['’.&-][a-z0-9]+)*%?/g;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN_RE) ?? [];
}

/** Tokens that contain at least one letter (numbers alone do not make a sentence informative). */
export function countWordTokens(text: string): number {
  let n = 0;
  for (const t of tokenize(text)) if (/[a-z]/.test(t)) n++;
  return n;
}

/** Contiguous n-grams of `tokens` for n in [minN, maxN], joined by a space. */
export function ngrams(tokens: readonly string[], minN: number, maxN: number): string[] {
  const out: string[] = [];
  for (let n = minN; n <= maxN; n++) {
    for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
  }
  return out;
}
