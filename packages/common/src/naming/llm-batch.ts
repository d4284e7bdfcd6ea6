/**
 * Naming a numbered list of items (a firm's topics, or a chunk of a quarter's themes) in one LLM request: the
 * prompt, the JSON schema of the answer, the checks, and a repair request for only the items that failed.
 *
 * The answer is an object keyed by item number, `{"1":{"name","description"},"2":…}`, every key required and no
 * other allowed, so a grammar-constrained decoder (vLLM's xgrammar, llama.cpp) can only produce exactly one entry
 * per item, in order. Items whose entry is missing (a reply cut off at `max_tokens`) or fails a check are asked
 * for again in ONE repair request that carries only them and why they were refused; valid items of the first
 * answer are kept. Whatever is still invalid after that stays null (the namers fall back to keywords).
 */
import { z } from 'zod';
import { releasesPartition } from '../inference/errors.js';
import type { ChatJsonClient } from '../llm/client.js';
import { StructuredOutputError } from '../llm/errors.js';
import { estimateTokens } from '../llm/estimate.js';
import { CUT_OFF_PROBLEM } from '../llm/json-output.js';
import { type ForbiddenTerm, forbiddenIn } from './firm-terms.js';
import { fallbackItem } from './keyword-fallback.js';
import type { NamedItem } from './types.js';

export interface NamedAnswer {
  name: string;
  description: string;
}

export interface BatchSpec {
  client: ChatJsonClient;
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
  /** Completion tokens planned per item: `max_tokens` is never below 32 + items · this. */
  completionTokensPerItem: number;
  /**
   * Completion tokens one item may need at the string caps (default `ENTRY_MAX_TOKENS`): `max_tokens` grows to
   * 32 + items · this where `maxRequestTokens` leaves room, so that a constrained reply is not cut off mid-way.
   */
  entryMaxTokens?: number;
  /** Prompt plus `max_tokens` at most (the served model's context); without it `max_tokens` is the plan. */
  maxRequestTokens?: number;
}

export interface BatchOutcome {
  /** One per block; null where no valid name came back. */
  answers: (NamedAnswer | null)[];
  /** True when a repair request was sent (or replayed) for some items. */
  repaired: boolean;
  /** Why some or all answers are missing. */
  error: string | null;
}

/**
 * Caps sized to the asked-for 6-word names and 20-word sentences, so that a constrained decoder closes the string
 * there instead of rambling.
 */
export const NAME_MAX_CHARS = 60;
export const DESCRIPTION_MAX_CHARS = 160;
/**
 * Tokens of one entry at those caps in the worst case (a token per character, as in the runs of digits and dots a
 * small model repeats), plus its keys and punctuation.
 */
export const ENTRY_MAX_TOKENS = NAME_MAX_CHARS + DESCRIPTION_MAX_CHARS + 40;

/** Request and answer limits every LLM namer shares (topic and theme prompts add their own rendering options). */
export interface AnswerLimits {
  /** A request never carries more than this; more items are split into several requests. */
  maxPromptTokens: number;
  /** Prompt plus `max_tokens` of one request at most: within the served model's context (vLLM --max-model-len). */
  maxRequestTokens: number;
  maxNameWords: number;
  maxDescriptionWords: number;
  /** Planned completion tokens per item (packing); `max_tokens` grows past it to the caps where the context allows. */
  completionTokensPerItem: number;
  /** Tokens one entry may need at the answer's string caps. */
  entryMaxTokens: number;
}

export const DEFAULT_ANSWER_LIMITS: AnswerLimits = {
  maxPromptTokens: 6000,
  maxRequestTokens: 7000,
  maxNameWords: 6,
  maxDescriptionWords: 20,
  completionTokensPerItem: 120,
  entryMaxTokens: ENTRY_MAX_TOKENS,
};

/** What an LLM namer is built with: `Prompt` its prompt options, `Namer` the namer it falls back to. */
export interface LlmNamerOptions<Prompt, Namer> {
  client: ChatJsonClient;
  prompt?: Partial<Prompt>;
  /** Names the items the LLM could not; the result is flagged `fallback`. Default: the first keywords. */
  fallback?: Namer;
  /**
   * Told why some or all items of a scope (a firm's topics, a quarter's themes) fell back and how many; messages
   * carry no secrets.
   */
  onFallback?: (scope: string, reason: string, items: number) => void;
}

/** The answer limits a request carries (BatchSpec's share of AnswerLimits). */
export function requestLimits(
  o: AnswerLimits,
): Pick<
  BatchSpec,
  'maxNameWords' | 'maxDescriptionWords' | 'completionTokensPerItem' | 'entryMaxTokens' | 'maxRequestTokens'
> {
  return {
    maxNameWords: o.maxNameWords,
    maxDescriptionWords: o.maxDescriptionWords,
    completionTokensPerItem: o.completionTokensPerItem,
    entryMaxTokens: o.entryMaxTokens,
    maxRequestTokens: o.maxRequestTokens,
  };
}

/** `max_tokens` for `n` entries: room for all at the caps where the context allows, never below the plan. */
export function maxTokensFor(
  n: number,
  promptTokens: number,
  o: Pick<BatchSpec, 'completionTokensPerItem' | 'entryMaxTokens' | 'maxRequestTokens'>,
): number {
  const planned = 32 + n * o.completionTokensPerItem;
  if (o.maxRequestTokens === undefined) return planned;
  const atCaps = 32 + n * (o.entryMaxTokens ?? ENTRY_MAX_TOKENS);
  return Math.max(planned, Math.min(atCaps, o.maxRequestTokens - promptTokens));
}

const itemSchema = z
  .object({
    name: z.string().min(1).max(NAME_MAX_CHARS),
    description: z.string().min(1).max(DESCRIPTION_MAX_CHARS),
  })
  .strict();

/** The answer for items `numbers`: one required entry per number, keyed by it, nothing else. */
export const answerSchema = (numbers: readonly number[]) =>
  z.object(Object.fromEntries(numbers.map((n) => [String(n), itemSchema]))).strict();

type Answer = Record<string, z.infer<typeof itemSchema>>;

/** Heading of the repair note; the namers' test servers recognise a repair request by it. */
export const REPAIR_NOTE = 'could not be used';

const listNumbers = (ns: readonly number[]) =>
  ns.length === 1 ? String(ns[0]) : `${ns.slice(0, -1).join(', ')} and ${ns[ns.length - 1]}`;

/**
 * The user message for items `numbers` (default: all, 1..k): each item's block under its number, the trailer,
 * the problems of refused earlier answers when this is the repair, and what to answer.
 */
export function userPrompt(
  spec: Pick<BatchSpec, 'itemLabel' | 'blocks' | 'trailer'>,
  numbers: readonly number[] = spec.blocks.map((_, i) => i + 1),
  refused: ReadonlyMap<number, readonly string[]> = new Map(),
): string {
  const label = spec.itemLabel.toLowerCase();
  const parts = numbers.map((n) => `${spec.itemLabel} ${n}\n${spec.blocks[n - 1]}`);
  let text = `${parts.join('\n\n')}\n\n${spec.trailer ? `${spec.trailer}\n` : ''}`;
  if (refused.size > 0) {
    const lines = [...refused].flatMap(([n, ps]) => ps.map((p) => `- ${label} ${n}: ${p}`));
    text += `Earlier answers for these ${label}s ${REPAIR_NOTE}:\n${lines.join('\n')}\n`;
  }
  const all = numbers.length === spec.blocks.length;
  return (
    text +
    (all
      ? `Name all ${numbers.length} ${label}s: one entry per ${label}, keyed by its number, 1 to ${numbers.length}.`
      : `Name ${label}${numbers.length > 1 ? 's' : ''} ${listNumbers(numbers)}: one entry per ${label}, keyed by its number.`)
  );
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

interface Judged {
  /** Valid answers by item number. */
  valid: Map<number, NamedAnswer>;
  /** Problems of the others, by item number. */
  refused: Map<number, string[]>;
}

/** Each asked-for item of a parsed answer (any shape, possibly the complete part of a cut-off reply), judged alone. */
function judge(value: unknown, numbers: readonly number[], spec: BatchSpec, cutOff: boolean): Judged {
  const valid = new Map<number, NamedAnswer>();
  const refused = new Map<number, string[]>();
  const obj =
    value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  for (const n of numbers) {
    const raw = obj[String(n)];
    if (raw === undefined) {
      refused.set(n, [cutOff ? 'no answer came back (the reply was cut off)' : 'no answer came back']);
      continue;
    }
    const r = itemSchema.safeParse(raw);
    if (!r.success) {
      refused.set(
        n,
        r.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`),
      );
      continue;
    }
    const problems = itemProblems(r.data, spec);
    if (problems.length) refused.set(n, problems);
    else valid.set(n, { name: cleanName(r.data.name), description: r.data.description.trim() });
  }
  return { valid, refused };
}

type Asked = ({ ok: true } & Judged) | { ok: false; error: string };

/** One request for items `numbers`; never throws for service trouble. */
async function ask(
  spec: BatchSpec,
  numbers: readonly number[],
  refused?: ReadonlyMap<number, readonly string[]>,
): Promise<Asked> {
  const label = spec.itemLabel.toLowerCase();
  const user = userPrompt(spec, numbers, refused);
  const promptTokens = estimateTokens(spec.system) + estimateTokens(user) + 8;
  try {
    const r = await spec.client.chatJson({
      stage: spec.stage,
      scope: spec.scope,
      schemaName: 'names',
      schema: answerSchema(numbers),
      check: (v: Answer) =>
        [...judge(v, numbers, spec, false).refused].flatMap(([n, ps]) =>
          ps.map((p) => `${label} ${n}: ${p}`),
        ),
      messages: [
        { role: 'system', content: spec.system },
        { role: 'user', content: user },
      ],
      params: { temperature: 0, maxTokens: maxTokensFor(numbers.length, promptTokens, spec) },
      // The repair below asks again for only the failed items, not the whole answer.
      repair: false,
    });
    return { ok: true, ...judge(r.value, numbers, spec, false) };
  } catch (err) {
    // The endpoint is scaling up from zero: the partition is released, not completed on keyword names.
    if (releasesPartition(err)) throw err;
    if (err instanceof StructuredOutputError)
      return { ok: true, ...judge(err.values.at(-1), numbers, spec, err.message.includes(CUT_OFF_PROBLEM)) };
    return { ok: false, error: (err as Error).message };
  }
}

const describeRefused = (label: string, refused: ReadonlyMap<number, readonly string[]>) =>
  [...refused].map(([n, ps]) => `${label} ${n}: ${ps.join(', ')}`).join('; ');

/**
 * Names every item: one request, then at most one repair request for the items that failed. Never throws for
 * service trouble or bad answers (the outcome says what is missing and why).
 */
export async function nameBatch(spec: BatchSpec): Promise<BatchOutcome> {
  const k = spec.blocks.length;
  const answers: (NamedAnswer | null)[] = new Array(k).fill(null);
  if (k === 0) return { answers, repaired: false, error: null };
  const label = spec.itemLabel.toLowerCase();
  const first = await ask(
    spec,
    answers.map((_, i) => i + 1),
  );
  // A service failure was already retried by the client; a repair would only fail the same way.
  if (!first.ok) return { answers, repaired: false, error: first.error };
  for (const [n, a] of first.valid) answers[n - 1] = a;
  if (first.refused.size === 0) return { answers, repaired: false, error: null };

  const second = await ask(spec, [...first.refused.keys()], first.refused);
  if (!second.ok)
    return {
      answers,
      repaired: true,
      error: `${describeRefused(label, first.refused)}; the repair failed: ${second.error}`,
    };
  for (const [n, a] of second.valid) answers[n - 1] = a;
  return {
    answers,
    repaired: true,
    error: second.refused.size
      ? `answer invalid after one repair: ${describeRefused(label, second.refused)}`
      : null,
  };
}

export function estimateBatchPromptTokens(
  spec: Pick<BatchSpec, 'system' | 'itemLabel' | 'blocks' | 'trailer'>,
) {
  return estimateTokens(spec.system) + estimateTokens(userPrompt(spec)) + 8;
}

export interface PackLimits {
  /** Estimated prompt tokens of a request without items (instructions, trailer). */
  fixedTokens: number;
  maxPromptTokens: number;
  maxItems?: number;
  /** With `maxRequestTokens`: the prompt plus `max_tokens` (32 + items · this) must fit the model's context. */
  completionTokensPerItem?: number;
  maxRequestTokens?: number;
}

/** Greedy packing of rendered items into requests under a prompt-token cap, a context cap and an item cap. */
export function packChunks(blocks: readonly string[], o: PackLimits): number[][] {
  const maxItems = o.maxItems ?? Number.POSITIVE_INFINITY;
  const perItem = o.completionTokensPerItem ?? 0;
  const maxRequest = o.maxRequestTokens ?? Number.POSITIVE_INFINITY;
  const chunks: number[][] = [];
  let current: number[] = [];
  let tokens = o.fixedTokens;
  blocks.forEach((b, i) => {
    const t = estimateTokens(b) + 4;
    const request = tokens + t + 32 + (current.length + 1) * perItem;
    if (
      current.length > 0 &&
      (tokens + t > o.maxPromptTokens || request > maxRequest || current.length >= maxItems)
    ) {
      chunks.push(current);
      current = [];
      tokens = o.fixedTokens;
    }
    current.push(i);
    tokens += t;
  });
  if (current.length) chunks.push(current);
  return chunks;
}

/**
 * `blocks` split into requests under the answer limits (`packChunks`); a request's fixed part is the prompt of
 * `prompt` without items.
 */
export function packRequests(
  blocks: readonly string[],
  prompt: Pick<BatchSpec, 'system' | 'itemLabel'>,
  limits: AnswerLimits & { maxItems?: number },
): number[][] {
  return packChunks(blocks, {
    fixedTokens: estimateBatchPromptTokens({ ...prompt, blocks: [] }),
    maxPromptTokens: limits.maxPromptTokens,
    maxItems: limits.maxItems,
    completionTokensPerItem: limits.completionTokensPerItem,
    maxRequestTokens: limits.maxRequestTokens,
  });
}

/** Names each chunk of `blocks` in one request, all chunks at once; `scopeOf(c)` is chunk c's request scope. */
export function nameChunks(
  blocks: readonly string[],
  chunks: readonly number[][],
  request: Omit<BatchSpec, 'blocks' | 'scope'>,
  scopeOf: (chunk: number) => string,
): Promise<BatchOutcome[]> {
  return Promise.all(
    chunks.map((idx, c) => nameBatch({ ...request, scope: scopeOf(c), blocks: idx.map((i) => blocks[i]) })),
  );
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

/**
 * Every item's name: the batches' answers, and for the items they left unnamed the fallback namer's names, or
 * their first keywords when there is no fallback namer or it fails. `onMissing` hears why and how many.
 */
export async function namesWithFallback<T extends { keywords: readonly string[] }>(
  items: readonly T[],
  idOf: (item: T) => string,
  batches: { chunks: readonly number[][]; outcomes: readonly BatchOutcome[] },
  onMissing: (reason: string, missing: number) => void,
  fallback?: (rest: T[]) => Promise<NamedItem[]>,
): Promise<NamedItem[]> {
  const ids = items.map(idOf);
  const { named, missing, reason } = mergeOutcomes(ids, batches.chunks, batches.outcomes);
  if (missing.length === 0) return named as NamedItem[];
  onMissing(reason, missing.length);
  const rest = missing.map((i) => items[i]);
  const own = () => rest.map((t) => fallbackItem(idOf(t), t.keywords));
  // A failing fallback namer must not fail the stage: the first keywords always work.
  const fb = fallback ? await fallback(rest).catch(own) : own();
  return fillFallbacks(named, missing, ids, fb);
}
