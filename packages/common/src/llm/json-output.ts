/** Reading a JSON answer out of a chat completion and validating it against a zod schema. */
import { z } from 'zod';

/** Drops `<think>…</think>` blocks some reasoning models leave in the content. */
export function stripThinking(content: string): string {
  return content.replace(/<think>[\s\S]*?<\/think>/g, '').replace(/^[\s\S]*?<\/think>/, '');
}

export type Parsed = { ok: true; value: unknown; cutOff?: boolean } | { ok: false; problem: string };

/**
 * The complete part of a JSON object or array cut off mid-way (an answer that reached `max_tokens`): the text up
 * to the last value that closed, with the brackets still open closed after it. Every kept string, number and
 * nested value is whole; only the cut one is dropped. Null when nothing closed before the cut.
 */
export function recoverCutOffJson(text: string): unknown | null {
  const start = text.search(/[[{]/);
  if (start < 0) return null;
  const open: string[] = [];
  let inString = false;
  let escaped = false;
  let best: { end: number; closers: string } | null = null;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') open.push(c === '{' ? '}' : ']');
    else if (c === '}' || c === ']') {
      if (open.pop() !== c) return null; // not JSON at all
      if (open.length === 0) return null; // closed completely: not cut off (the caller's parse failed for another reason)
      best = { end: i + 1, closers: [...open].reverse().join('') };
    }
  }
  if (!best) return null;
  try {
    return JSON.parse(text.slice(start, best.end) + best.closers);
  } catch {
    return null;
  }
}

/** The JSON value in a reply: the whole reply, a fenced block, or the outermost {…} span; else what survives a cut. */
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
  const partial = text ? recoverCutOffJson(text) : null;
  if (partial !== null) return { ok: true, value: partial, cutOff: true };
  return { ok: false, problem };
}

/** The problem reported for a reply cut off mid-way (callers may look for it in error messages). */
export const CUT_OFF_PROBLEM = 'the reply was cut off before its end';

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
  // The complete part of a cut-off reply is kept for the caller to salvage, but the reply as a whole is not usable.
  if (parsed.cutOff) return { ok: false, problems: [CUT_OFF_PROBLEM], value: parsed.value };
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
