/** The default topic namer: a topic's name is its leading keywords, without words a longer keyword already shows. */
import type { FirmInfo, NamedItem, TopicNamer, TopicToName } from './types.js';

/** Up to `count` keywords for a name: a keyword is skipped when all its words are already in the name. */
export function keywordName(keywords: readonly string[], count = 3): string {
  const picked: string[] = [];
  const shown = new Set<string>();
  // Longer n-grams first among the leading candidates, so "supply chain" wins over "supply" and "chain".
  const candidates = keywords.slice(0, count * 3);
  for (const kw of candidates) {
    if (picked.length >= count) break;
    const words = kw.split(' ');
    if (words.every((w) => shown.has(w))) continue;
    const absorbed = picked.findIndex((p) => p.split(' ').every((w) => words.includes(w)));
    if (absorbed >= 0) picked.splice(absorbed, 1, kw);
    else picked.push(kw);
    for (const w of words) shown.add(w);
  }
  return picked.join(', ');
}

export class KeywordNamer implements TopicNamer {
  constructor(private readonly count = 3) {}

  async nameFirmTopics(_firm: FirmInfo, topics: readonly TopicToName[]): Promise<NamedItem[]> {
    return topics.map((t, i) => {
      const name = keywordName(t.keywords, this.count);
      return name
        ? { id: t.topicId, name, nameSource: 'keywords' as const, description: null }
        : { id: t.topicId, name: `topic ${i}`, nameSource: 'fallback' as const, description: null };
    });
  }
}
