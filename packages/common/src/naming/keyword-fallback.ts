/** The name an item gets when the LLM cannot give one: its first keywords, flagged `fallback`. */
import type { NamedItem } from './types.js';

export const FALLBACK_KEYWORDS = 4;

export function keywordFallbackName(keywords: readonly string[]): string {
  const kws = keywords.filter((k) => k.trim() !== '').slice(0, FALLBACK_KEYWORDS);
  return kws.length > 0 ? kws.join(', ') : 'unnamed';
}

export function fallbackItem(id: string, keywords: readonly string[]): NamedItem {
  return { id, name: keywordFallbackName(keywords), nameSource: 'fallback', description: null };
}
