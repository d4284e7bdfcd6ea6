/**
 * Small helpers for writing PlantUML that the 1.2020 release Debian ships accepts: old syntax only (no `<style>`,
 * no `!function`, no stdlib icons), quoted display names, aliases made of word characters.
 */

export interface Diagram {
  /** File stem: `<name>.puml`, `<name>.svg`. */
  name: string;
  title: string;
  source: string;
  /** Names the rendered image must mention (stage names, tables): what the tests look for. */
  mentions: string[];
}

/** A PlantUML alias: word characters only, not starting with a digit. */
export function alias(name: string): string {
  const a = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(a) ? `_${a}` : a;
}

/** Text inside double quotes: quotes become apostrophes, newlines become PlantUML's `\n`. */
export function quoted(text: string): string {
  return `"${creoleSafe(text.replace(/"/g, "'")).replace(/\r?\n/g, '\\n')}"`;
}

/** Text for an activity label (`:text;`), a note or an arrow label: no line breaks or characters that end it. */
export function label(text: string): string {
  return creoleSafe(text)
    .replace(/[;|]/g, ',')
    .replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'))
    .replace(/\r?\n/g, ' ')
    .trim();
}

/** `--x--` is strike-through and `**x**` bold in creole: escape pairs with `~` so flags print as typed. */
export function creoleSafe(text: string): string {
  return text.replace(/(--|\*\*|__|""|~~)/g, (m) => `~${m[0]}~${m[1]}`);
}

export function document(title: string, body: string[], preamble: string[] = []): string {
  return ['@startuml', ...preamble, `title ${label(title)}`, ...body, '@enduml', ''].join('\n');
}

/** A URL without credentials or query string (settings may hold a token in either). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
