/**
 * Rule-based sentence splitter tuned for earnings-call speech. A boundary is `.`, `!`, `?` or an ellipsis,
 * optionally followed by closing quotes/brackets, then whitespace, then something that can start a sentence.
 * Exceptions: title abbreviations (Mr., Dr.) and initials never end a sentence; company and place
 * abbreviations (Inc., U.S.) end one only when a common sentence opener follows ("Inc. We grew...").
 * Decimal numbers (3.5%, $1.2 billion) never match because no whitespace follows their dot.
 * Newlines separate paragraphs and bullet-like fragments, which never join.
 */

const TITLE_ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'messrs',
  'mssrs',
  'sr',
  'jr',
  'st',
  'gen',
  'gov',
  'sen',
  'rep',
  'hon',
  'rev',
  'vs',
  'e.g',
  'i.e',
  'cf',
  'approx',
  'no',
  'nos',
  'fig',
  'dept',
  'est',
  'ph',
  'mt',
  'ft',
]);

const ENDING_ABBREVIATIONS = new Set([
  'inc',
  'corp',
  'co',
  'ltd',
  'llc',
  'plc',
  'lp',
  'llp',
  'bros',
  'ag',
  'sa',
  'nv',
  'bv',
  'etc',
  'al',
  'u.s',
  'u.k',
  'u.s.a',
  'e.u',
  'u.n',
  'a.m',
  'p.m',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'q&a',
]);

/** Words that, after an ENDING abbreviation, show that a new sentence has begun. */
const SENTENCE_OPENERS = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'but',
  'during',
  'for',
  'from',
  'he',
  'however',
  'i',
  "i'm",
  "i'd",
  "i'll",
  'if',
  'in',
  'it',
  "it's",
  'now',
  'on',
  'our',
  'overall',
  'she',
  'so',
  'that',
  'the',
  'these',
  'they',
  'this',
  'those',
  'to',
  'turning',
  'we',
  "we're",
  "we've",
  "we'll",
  'what',
  'when',
  'with',
  'yes',
  'you',
  'finally',
  'first',
  'second',
  'third',
  'next',
  'let',
  "let's",
  'additionally',
  'also',
  'moving',
  'looking',
  'thank',
  'thanks',
  'there',
  'here',
  'while',
  'after',
  'before',
  'given',
  'again',
  'because',
  'since',
]);

const BULLET_RE = /^\s*(?:[-–—•*·▪◦]|\d{1,2}[.)])\s+/;

// Candidate end: terminal punctuation run, optional closers, whitespace. Captures the terminal run.
const END_RE = /([.!?…]+)(["'”’)\]]*)(\s+)/g;

export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split(/\r?\n+/)) {
    const line = rawLine.replace(BULLET_RE, '').replace(/\s+/g, ' ').trim();
    if (line === '') continue;
    splitParagraph(line, out);
  }
  return out;
}

function splitParagraph(p: string, out: string[]): void {
  let start = 0;
  END_RE.lastIndex = 0;
  for (let m = END_RE.exec(p); m !== null; m = END_RE.exec(p)) {
    const punctEnd = m.index + m[1].length;
    const after = m.index + m[0].length;
    if (after >= p.length) break;
    if (!isBoundary(p, m.index, m[1], after)) continue;
    const s = p.slice(start, punctEnd + m[2].length).trim();
    if (s) out.push(s);
    start = after;
  }
  const rest = p.slice(start).trim();
  if (rest) out.push(rest);
}

function isBoundary(p: string, punctIndex: number, punct: string, nextIndex: number): boolean {
  const next = p.slice(nextIndex, nextIndex + 40);
  const nextChar = next[0];
  // A sentence starts with a capital, a digit, a currency sign or an opening quote/bracket.
  if (!/[A-Z0-9$€£"'“‘([]/.test(nextChar)) return false;
  if (punct !== '.') return true; // ?, !, ellipsis followed by a capital
  const word = wordBefore(p, punctIndex);
  const lower = word.toLowerCase();
  if (lower === '') return true;
  // Single-letter initials ("Michael P. Dickerson") and title abbreviations never end a sentence.
  const before = p[punctIndex - word.length - 1] ?? ' ';
  if (/^[A-Za-z]$/.test(word) && /\s|\(/.test(before)) return false;
  if (TITLE_ABBREVIATIONS.has(lower)) {
    // "No. 1" is an abbreviation; "... said no. The" is a sentence end.
    if (lower === 'no' || lower === 'nos') return !/^\d/.test(nextChar) && word !== 'No';
    return false;
  }
  const dotted = /^(?:[A-Za-z]\.)+[A-Za-z]$/.test(word);
  if (ENDING_ABBREVIATIONS.has(lower) || dotted) {
    const nextWord = /^[A-Za-z']+/.exec(next)?.[0]?.toLowerCase() ?? '';
    return SENTENCE_OPENERS.has(nextWord);
  }
  return true;
}

/** The token just before index `end` (letters, digits, dots, ampersands). */
function wordBefore(p: string, end: number): string {
  let i = end;
  while (i > 0 && /[A-Za-z0-9.&]/.test(p[i - 1])) i--;
  return p.slice(i, end).replace(/^\.+/, '');
}
