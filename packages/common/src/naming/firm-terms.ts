/**
 * Words a topic name must not contain: the firm's ticker and its name, so that names generalise across firms
 * and the theme stage can group them.
 */
import type { FirmInfo } from './types.js';

/** Legal-form and filler words dropped from a firm name before it is matched. */
const NAME_FILLER = new Set([
  'the',
  'inc',
  'incorporated',
  'corp',
  'corporation',
  'co',
  'company',
  'companies',
  'ltd',
  'limited',
  'plc',
  'llc',
  'lp',
  'sa',
  'nv',
  'ag',
  'holdings',
  'holding',
  'group',
  'trust',
  'class',
  '&',
  'and',
  'of',
]);

export interface ForbiddenTerm {
  /** As shown in messages to the model. */
  text: string;
  pattern: RegExp;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whole-word pattern; letters/digits on either side break the match. */
const wordPattern = (phrase: string, flags: string) =>
  new RegExp(
    `(?<![\\p{L}\\p{N}])${escapeRegExp(phrase).replace(/\s+/g, '\\s+')}(?![\\p{L}\\p{N}])`,
    `u${flags}`,
  );

/**
 * Tickers that are also everyday business words in capitals: banning them would ban good general names
 * ("AI adoption", "IT spending"). Single-letter tickers are skipped too (the article "A").
 */
const ACRONYM_TICKERS = new Set([
  'AI',
  'IT',
  'EV',
  'ESG',
  'HR',
  'PC',
  'TV',
  'US',
  'UK',
  'EU',
  'GDP',
  'ERP',
  'API',
  'CEO',
  'CFO',
  'FX',
  'IPO',
  'EPS',
  'ROI',
  'LNG',
  'OEM',
  'SKU',
  'ATM',
  'CRM',
  'IOT',
  'SAAS',
]);

export function forbiddenTermsFor(firm: FirmInfo): ForbiddenTerm[] {
  const out: ForbiddenTerm[] = [];
  const ticker = firm.ticker?.trim();
  if (ticker && ticker.length >= 2 && !ACRONYM_TICKERS.has(ticker.toUpperCase())) {
    // Short tickers are often words ("ALL", "ON", "A"): match them only in capitals. Long ones in any case.
    out.push({ text: ticker, pattern: wordPattern(ticker, ticker.length >= 4 ? 'i' : '') });
  }
  const words = (firm.firmName ?? '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}&\s'-]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w && !NAME_FILLER.has(w));
  if (words.length > 0) {
    const core = words.join(' ');
    // A one-word core ("apple") is banned as a word; longer cores only as the whole phrase, so that
    // "American Water Works" does not ban "water".
    if (words.length > 1 || core.length >= 3) out.push({ text: core, pattern: wordPattern(core, 'i') });
  }
  return out;
}

export function forbiddenIn(text: string, terms: readonly ForbiddenTerm[]): ForbiddenTerm[] {
  return terms.filter((t) => t.pattern.test(text));
}

/** What a firm's own name or ticker becomes in the text shown to the model. */
export const FIRM_PLACEHOLDER = 'the company';

/**
 * The text with the firm's ticker and name replaced by "the company" (matched as the checks match them), so
 * that the model is not shown the words its names may not contain.
 */
export function maskFirmTerms(text: string, terms: readonly ForbiddenTerm[]): string {
  let out = text;
  // Longest first: the name "Acme Widgets" before the ticker "ACME" inside it.
  const longestFirst = [...terms].sort((x, y) => y.text.length - x.text.length);
  for (const t of longestFirst)
    out = out.replace(new RegExp(t.pattern.source, `${t.pattern.flags}g`), FIRM_PLACEHOLDER);
  return out;
}
