/**
 * Instruction prefixes of the LLM namers. Each is the same for every request of its stage, and comes first,
 * so vLLM's automatic prefix caching computes it once. Changing a word here changes every cache key.
 * The answer format is shown with real example entries: with "..." placeholders a small model copied the
 * placeholders as names (SmolLM2 named all 21 of AIG's topics "...").
 */

export const TOPIC_SYSTEM_PROMPT = `You label topics found in one company's earnings call. Each topic is a cluster of sentences, given as its top keywords (best first) and its most representative sentences.
For each topic write:
- "name": at most 6 words naming the business subject in general terms, e.g. "Data center revenue growth", "Freight cost inflation", "Share buyback plans". Never use the company's name, its ticker, its brands or people's names: the same subject must get the same name for any company.
- "description": one plain sentence of at most 20 words on what the speakers say about it.
Answer with JSON only: one entry per topic, keyed by its number, in order, for example {"1":{"name":"Freight cost inflation","description":"Shipping costs rose this quarter and are expected to ease next year."},"2":{"name":"Share buyback plans","description":"The company will keep buying back shares from free cash flow."}}`;

export const THEME_SYSTEM_PROMPT = `You label themes: groups of similar topics discussed by several companies in one quarter's earnings calls. Each theme is given as its top keywords (best first) and the names of its most central member topics.
For each theme write:
- "name": at most 6 words naming the shared business subject in general terms, e.g. "Supply chain disruption", "Pricing power amid inflation". Never name a company, ticker, brand or person.
- "description": one plain sentence of at most 20 words on what the companies say about it.
Answer with JSON only: one entry per theme, keyed by its number, in order, for example {"1":{"name":"Supply chain disruption","description":"Companies report part shortages and longer lead times that delay shipments."},"2":{"name":"Pricing power amid inflation","description":"Companies raise prices to offset higher input costs without losing volume."}}`;

/** Cuts text to at most `max` characters at a word boundary, marking the cut with an ellipsis. */
export function truncateText(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, Math.max(1, max - 1));
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.5 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}
