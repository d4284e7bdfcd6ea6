/**
 * One LLM request naming a numbered list of items (a firm's topics, or a chunk of a quarter's themes):
 * the prompt, the JSON schema of the answer, the checks that trigger the repair attempt, and salvage of the
 * items that are valid when the repaired answer still is not.
 */
import { z } from 'zod';
import type { LlmClient } from '../llm/client.js';
import { StructuredOutputError } from '../llm/errors.js';
import { estimateTokens } from '../llm/estimate.js';
import { type ForbiddenTerm, forbiddenIn } from './firm-terms.js';
import type { NamedItem } from './types.js';

export interface NamedAnswer {
  name: string;
  description: string;
}

export interface BatchSpec {
  client: LlmClient;
  stage: string;
  scope: string;
  /** The shared instruction prefix: identical for every request of a stage, so the server caches it. */
  system: string;
  /** `Topic` or `Theme`: how items are headed in the prompt. */
  itemLabel: string;
  /** Rendered items, numbered 1..k in the prompt. */
  blocks: readonly string[];
  /** Text after the items (e.g. the words to avoid). */
  trailer?: string;
  forbidden?: readonly ForbiddenTerm[];
  maxNameWords: number;
  maxDescriptionWords: number;
  /** Completion tokens allowed per item. */
  completionTokensPerItem: number;
}

export interface BatchOutcome {
  /** One per block; null where no valid name came back. */
  answers: (NamedAnswer | null)[];
  repaired: boolean;
  fromCache: boolean;
  /** Why some or all answers are missing. */
  error: string | null;
}

const itemSchema = (k: number) =>
  z
    .object({
      id: z.number().int().min(1).max(k),
      // Caps sized to the asked-for 6 words and 25 words: a constrained decoder stops there instead of rambling.
      name: z.string().min(1).max(60),
      description: z.string().min(1).max(220),
    })
    .strict();

export const answerSchema = (k: number) => z.object({ items: z.array(itemSchema(k)).length(k) }).strict();

export function userPrompt(spec: Pick<BatchSpec, 'itemLabel' | 'blocks' | 'trailer'>): string {
  const parts = spec.blocks.map((b, i) => `${spec.itemLabel} ${i + 1}\n${b}`);
  const label = spec.itemLabel.toLowerCase();
  const tail = `Name all ${spec.blocks.length} ${label}s: one entry per ${label}, ids 1 to ${spec.blocks.length}.`;
  return `${parts.join('\n\n')}\n\n${spec.trailer ? `${spec.trailer}\n` : ''}${tail}`;
}

/** Tidies a model's name: one line, no wrapping quotes, no trailing full stop. */
export function cleanName(name: string): string {
  return name
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^["'“‘]+|["'”’]+$/g, '')
    .replace(/[.;:,]+$/, '')
    .trim();
}

const wordCount = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** Problems of one answer item; an empty list means usable. */
export function itemProblems(
  item: { name: string; description: string },
  spec: Pick<BatchSpec, 'forbidden' | 'maxNameWords' | 'maxDescriptionWords'>,
): string[] {
  const out: string[] = [];
  const name = cleanName(item.name);
  const words = wordCount(name);
  if (words === 0) out.push('the name is empty');
  else if (words > spec.maxNameWords) out.push(`the name has ${words} words (at most ${spec.maxNameWords})`);
  const bad = forbiddenIn(name, spec.forbidden ?? []);
  if (bad.length)
    out.push(`the name contains ${bad.map((t) => `"${t.text}"`).join(', ')}, which is not allowed`);
  const dw = wordCount(item.description);
  if (dw === 0) out.push('the description is empty');
  // The prompt asks for a short sentence; only clearly runaway descriptions are sent back.
  else if (dw > spec.maxDescriptionWords * 2)
    out.push(`the description has ${dw} words (at most ${spec.maxDescriptionWords})`);
  return out;
}

function checkAnswer(value: z.infer<ReturnType<typeof answerSchema>>, spec: BatchSpec): string[] {
  const k = spec.blocks.length;
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const it of value.items) {
    if (seen.has(it.id)) problems.push(`id ${it.id} appears more than once`);
    seen.add(it.id);
    for (const p of itemProblems(it, spec)) problems.push(`${spec.itemLabel.toLowerCase()} ${it.id}: ${p}`);
  }
  const missing = Array.from({ length: k }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) problems.push(`ids missing: ${missing.join(', ')}`);
  return problems;
}

/** Usable items of any parsed answer, by id; later answers win. */
function salvage(values: readonly unknown[], spec: BatchSpec): (NamedAnswer | null)[] {
  const k = spec.blocks.length;
  const out: (NamedAnswer | null)[] = new Array(k).fill(null);
  const item = itemSchema(k);
  for (const v of values) {
    const items = (v as { items?: unknown })?.items;
    if (!Array.isArray(items)) continue;
    const counts = new Map<number, number>();
    for (const raw of items) {
      const id = (raw as { id?: unknown })?.id;
      if (typeof id === 'number') counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const raw of items) {
      const r = item.safeParse(raw);
      if (!r.success || counts.get(r.data.id) !== 1 || itemProblems(r.data, spec).length) continue;
      out[r.data.id - 1] = { name: cleanName(r.data.name), description: r.data.description.trim() };
    }
  }
  return out;
}

export function estimateBatchPromptTokens(
  spec: Pick<BatchSpec, 'system' | 'itemLabel' | 'blocks' | 'trailer'>,
) {
  return estimateTokens(spec.system) + estimateTokens(userPrompt(spec)) + 8;
}

/** Sends the request; never throws for service trouble (the outcome says what failed). */
export async function nameBatch(spec: BatchSpec): Promise<BatchOutcome> {
  const k = spec.blocks.length;
  if (k === 0) return { answers: [], repaired: false, fromCache: false, error: null };
  try {
    const r = await spec.client.chatJson({
      stage: spec.stage,
      scope: spec.scope,
      schemaName: 'names',
      schema: answerSchema(k),
      check: (v) => checkAnswer(v, spec),
      messages: [
        { role: 'system', content: spec.system },
        { role: 'user', content: userPrompt(spec) },
      ],
      params: { temperature: 0, maxTokens: 32 + k * spec.completionTokensPerItem },
    });
    return { answers: salvage([r.value], spec), repaired: r.repaired, fromCache: r.fromCache, error: null };
  } catch (err) {
    if (err instanceof StructuredOutputError) {
      return { answers: salvage(err.values, spec), repaired: true, fromCache: false, error: err.message };
    }
    return {
      answers: new Array(k).fill(null),
      repaired: false,
      fromCache: false,
      error: (err as Error).message,
    };
  }
}

/** Greedy packing of rendered items into requests under a prompt-token cap (and an optional item cap). */
export function packChunks(
  blocks: readonly string[],
  fixedTokens: number,
  maxPromptTokens: number,
  maxItems = Number.POSITIVE_INFINITY,
): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let tokens = fixedTokens;
  blocks.forEach((b, i) => {
    const t = estimateTokens(b) + 4;
    if (current.length > 0 && (tokens + t > maxPromptTokens || current.length >= maxItems)) {
      chunks.push(current);
      current = [];
      tokens = fixedTokens;
    }
    current.push(i);
    tokens += t;
  });
  if (current.length) chunks.push(current);
  return chunks;
}

/** Answers of every chunk placed back by item; the positions left null, and why. */
export function mergeOutcomes(
  ids: readonly string[],
  chunks: readonly number[][],
  outcomes: readonly BatchOutcome[],
): { named: (NamedItem | null)[]; missing: number[]; reason: string } {
  const named: (NamedItem | null)[] = new Array(ids.length).fill(null);
  const reasons: string[] = [];
  chunks.forEach((idx, c) => {
    const out = outcomes[c];
    if (out.error) reasons.push(out.error);
    idx.forEach((i, j) => {
      const a = out.answers[j];
      if (a) named[i] = { id: ids[i], name: a.name, nameSource: 'llm', description: a.description };
    });
  });
  const missing = named.flatMap((n, i) => (n ? [] : [i]));
  return { named, missing, reason: reasons.join('; ') || 'no valid answer' };
}

/** Fills the missing positions with the fallback's names, flagged `fallback`. */
export function fillFallbacks(
  named: (NamedItem | null)[],
  missing: readonly number[],
  ids: readonly string[],
  fallbackNames: readonly NamedItem[],
): NamedItem[] {
  missing.forEach((i, j) => {
    named[i] = { ...fallbackNames[j], id: ids[i], nameSource: 'fallback' };
  });
  return named as NamedItem[];
}
