/** The default theme namer: a theme's name is its leading c-TF-IDF keywords, skipping words already shown. */
import type { NamedItem, ThemeNamer, ThemeToName } from './types.js';

/** Up to `count` keywords: one is skipped when all its words are already in the name; a longer one absorbs a shorter. */
export function themeKeywordName(keywords: readonly string[], count = 3): string {
  const picked: string[] = [];
  const shown = new Set<string>();
  for (const kw of keywords.slice(0, count * 3)) {
    const words = kw.split(' ');
    // Picked keywords whose words all belong to this one: the longer keyword replaces them.
    const absorbed = picked.filter((p) => p.split(' ').every((w) => words.includes(w)));
    if (absorbed.length > 0 && words.length > 1) {
      const at = picked.indexOf(absorbed[0]);
      const rest = picked.filter((p) => !absorbed.includes(p));
      rest.splice(Math.min(at, rest.length), 0, kw);
      picked.splice(0, picked.length, ...rest);
    } else if (words.every((w) => shown.has(w)) || picked.length >= count) {
      continue;
    } else picked.push(kw);
    for (const w of words) shown.add(w);
  }
  return picked.join(', ');
}

export class KeywordThemeNamer implements ThemeNamer {
  constructor(private readonly count = 3) {}

  async nameThemes(_quarter: string, themes: readonly ThemeToName[]): Promise<NamedItem[]> {
    return themes.map((t) => {
      const name = themeKeywordName(t.keywords, this.count);
      return name
        ? { id: t.themeId, name, nameSource: 'keywords' as const, description: null }
        : { id: t.themeId, name: `theme ${t.themeId}`, nameSource: 'fallback' as const, description: null };
    });
  }
}
