/** Reading a JSON answer out of a chat completion and validating it against a zod schema. */
import { z } from 'zod';

/** Drops `<think>…</think>` blocks some reasoning models leave in the content. */
export function stripThinking(content: string): string {
  return content.replace(/<think>[\s\S]*?<\/think>/g, '').replace(/^[\s\S]*?<\/think>/, '');
}

export type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

/** The JSON value in a reply: the whole reply, a fenced block, or the outermost {…} span. */
export function extractJson(content: string): Parsed {
  const text = stripThinking(content).trim();
  const candidates = [text];
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fenced) candidates.push(fenced[1].trim());
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  let problem = 'the reply is empty';
  for (const c of candidates) {
    if (!c) continue;
    try {
      return { ok: true, value: JSON.parse(c) };
    } catch (err) {
      problem = `the reply is not valid JSON (${(err as Error).message})`;
    }
  }
  return { ok: false, problem };
}

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: string[]; value: unknown };

const MAX_PROBLEMS = 12;

/** Parses, checks the schema, then the caller's own checks (which see only schema-valid values). */
export function validateReply<T>(
  content: string,
  schema: z.ZodType<T>,
  check?: (value: T) => string[],
): Validated<T> {
  const parsed = extractJson(content);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem], value: undefined };
  const r = schema.safeParse(parsed.value);
  if (!r.success) {
    const problems = r.error.issues
      .slice(0, MAX_PROBLEMS)
      .map((i) => `${i.path.length ? `at ${i.path.join('.')}: ` : ''}${i.message}`);
    return { ok: false, problems, value: parsed.value };
  }
  const problems = check ? check(r.data).slice(0, MAX_PROBLEMS) : [];
  return problems.length ? { ok: false, problems, value: r.data } : { ok: true, value: r.data };
}

/** The JSON schema sent as `response_format` (without the `$schema` key some servers reject). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest;
}
