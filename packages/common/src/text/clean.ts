/** Removes transcript annotations: `[Operator Instructions]`, `[Technical Difficulty]`, `(inaudible)`, `(ph)`. */

const BRACKETED = /\[[^\]\n]{0,80}\]/g;
const PAREN_NOTES =
  /\((?:inaudible|indiscernible|technical difficult(?:y|ies)|ph|phonetic|sic|audio gap|crosstalk|foreign language|laughter|pause)\)/gi;

export function removeAnnotations(text: string): string {
  return text
    .replace(BRACKETED, ' ')
    .replace(PAREN_NOTES, ' ')
    .replace(/[ \t]+/g, ' ');
}
