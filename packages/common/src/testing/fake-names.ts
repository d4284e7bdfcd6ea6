/**
 * A deterministic namer for FAKE chat servers: the names an LLM would give, made from each prompt item's
 * keywords ("<Kw1> and <kw2>"), in the JSON shape the namers ask for. Used by the test servers and `pnpm rehearse`.
 */

// biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
export function lastUserMessage(body: any): string {
  const msgs = (body?.messages ?? []) as { role: string; content: string }[];
  return [...msgs].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/** Items of a naming prompt: per numbered block, its keywords line (as the namers render it). */
export function promptItems(prompt: string): { id: number; keywords: string[] }[] {
  const out: { id: number; keywords: string[] }[] = [];
  const re = /^(?:Topic|Theme) (\d+)\nKeywords: (.*)$/gm;
  for (const m of prompt.matchAll(re))
    out.push({
      id: Number(m[1]),
      keywords: m[2]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    });
  return out;
}

/** A namer answer: one entry per item number, as the namers' JSON schema asks. */
export type NamesAnswer = Record<string, { name: string; description: string }>;

/**
 * A well-behaved namer answer for the items listed in the request's user message (all of them, or in a repair
 * request only those asked for again): "<Kw1> and <kw2>" per item, with a one-sentence description.
 */
// biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
export function goodNames(body: any): NamesAnswer {
  const items = promptItems(lastUserMessage(body));
  return Object.fromEntries(
    items.map((it) => [
      String(it.id),
      {
        name: `${cap(it.keywords[0] ?? 'general')} and ${it.keywords[1] ?? 'outlook'}`,
        description: `Speakers discuss ${it.keywords.slice(0, 3).join(', ')}.`,
      },
    ]),
  );
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
