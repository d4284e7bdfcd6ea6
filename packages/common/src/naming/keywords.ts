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

/**
 * Names each topic by its keywords. There is no placeholder name: the firm model ships every topic with at
 * least five keywords (topics/topic-keywords.ts), so a topic without any is a caller's error and is reported
 * by its id.
 */
export class KeywordNamer implements TopicNamer {
  constructor(private readonly count = 3) {}

  async nameFirmTopics(_firm: FirmInfo, topics: readonly TopicToName[]): Promise<NamedItem[]> {
    return topics.map((t) => {
      const name = keywordName(
        t.keywords.filter((k) => k.trim() !== ''),
        this.count,
      );
      if (!name) throw new Error(`topic ${t.topicId}: no keywords to name it by`);
      return { id: t.topicId, name, nameSource: 'keywords' as const, description: null };
    });
  }
}
