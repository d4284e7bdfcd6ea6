/**
 * What a run's plan records: the settings every worker applies to the run's messages (so a worker started with
 * other defaults still does what the producer asked), and the hash that names them.
 */
import { createHash } from 'node:crypto';
import { hasUrlPassword } from '../config/url-passwords.js';
import { canonicalJson } from '../llm/index.js';
import type { SourceSpec } from '../messages/index.js';

/** `--firms N` (the first N firms of each quarter by id) or `--firms <file>` (ids, one a line). */
export type FirmSelection = { limit: number } | { file: string; ids: string[] } | null;

export interface PlanSettings {
  source: SourceSpec;
  firms: FirmSelection;
  partitionSize: number;
  /** Firms per Parquet part inside a partition: a crash loses at most this many firms of work. */
  flushEvery: number;
  minTokens: number;
  seed: number;
  topics: { minTopicSize: number | 'auto'; outlierThreshold: number | null };
  /** Models whose answers are in the output (embedder, namer, classifier): part of the hash, not of the work. */
  models: Record<string, string>;
}

/** The first `length` hex digits of the SHA-256 of the value's canonical JSON (keys sorted). */
export function hashOf(value: unknown, length = 16): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

export function settingsHash(quarters: readonly string[], s: PlanSettings): string {
  return hashOf({ quarters, ...s });
}

/** The quarter's firms the run covers: all, the first N by id, or those named in the firm file. */
export function selectFirms<T extends { firmId: string }>(
  firms: readonly T[],
  selection: FirmSelection,
): T[] {
  if (selection === null) return [...firms];
  if ('limit' in selection) return firms.slice(0, selection.limit);
  const wanted = new Set(selection.ids);
  return firms.filter((f) => wanted.has(f.firmId));
}

/**
 * The source options as a message may carry them: scalar values only, and no URL with a password in it (workers
 * read those from their environment, e.g. CALLTHEMES_PG_URL).
 */
export function sourceSpecOf(options: Record<string, unknown>): SourceSpec {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' && hasUrlPassword(v)) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  if (typeof out.kind !== 'string') throw new Error('source options have no kind');
  return out as SourceSpec;
}
