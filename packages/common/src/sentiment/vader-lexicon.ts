/**
 * The VADER valence lexicon (Hutto & Gilbert 2014; MIT upstream, Apache-2.0 in the npm port
 * `vader-sentiment`), read from the installed package rather than copied into this repository.
 * Each line is `token<TAB>mean valence (-4..4)<TAB>sd<TAB>ratings`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let cached: Map<string, number> | undefined;

export function vaderLexiconPath(): string {
  return createRequire(import.meta.url).resolve('vader-sentiment/vader_lexicon.txt');
}

/** Word → mean valence in [-4, 4]; emoticons and tokens with non-letters are left out. */
export function vaderLexicon(): Map<string, number> {
  if (cached) return cached;
  const out = new Map<string, number>();
  for (const line of readFileSync(vaderLexiconPath(), 'utf8').split('\n')) {
    const [token, mean] = line.split('\t');
    if (!token || mean === undefined || !/^[a-z][a-z'-]*$/.test(token)) continue;
    const v = Number(mean);
    if (Number.isFinite(v)) out.set(token, v);
  }
  cached = out;
  return out;
}
