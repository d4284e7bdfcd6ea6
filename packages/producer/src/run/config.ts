/**
 * What one `callthemes run` needs, as plain data: the main process builds it once from settings and sends it to
 * every worker, so a worker builds the same source, lake and models as any stage command would. Secrets are not
 * in it: workers read them from the environment they inherit.
 */
import { createHash } from 'node:crypto';
import { cacheDirFrom } from '@callthemes/common/embed';
import { canonicalJson } from '@callthemes/common/llm';
import type { SourceOptions } from '@callthemes/common/sources';

export type WorkerKind = 'thread' | 'process';
export const WORKER_KINDS: readonly WorkerKind[] = ['thread', 'process'];

/** `--firms N` (the first N firms of each quarter by id) or `--firms <file>` (ids, one a line). */
export type FirmSelection = { limit: number } | { file: string; ids: string[] } | null;

export interface RunConfig {
  runId: string;
  lake: string;
  source: SourceOptions;
  quarters: string[];
  firms: FirmSelection;
  batchSize: number;
  /** Firms per Parquet part inside a batch: a crash loses at most this many firms of work. */
  flushEvery: number;
  concurrency: number;
  workers: WorkerKind;
  /** Minimum word tokens of a kept sentence. */
  minTokens: number;
  /** Seed of every randomised step (topic model), so a rerun gives the same ids. */
  seed: number;
  /** Firm topic model: smallest topic ('auto' scales with the call) and the outlier reassignment cosine. */
  topics: { minTopicSize: number | 'auto'; outlierThreshold: number | null };
  /** Folder of caches built on first use (word vectors). */
  cacheDir: string;
  /** Service flags of the stages (LLM, embeddings, sentiment classifier); empty for the embedded defaults. */
  services: Record<string, string>;
}

/** Every setting but what to run on, at its default. */
export function defaultRunSettings(): Omit<RunConfig, 'runId' | 'lake' | 'source' | 'quarters'> {
  return {
    firms: null,
    batchSize: 50,
    flushEvery: 50,
    concurrency: 2,
    workers: 'thread',
    minTokens: 5,
    seed: 42,
    topics: { minTopicSize: 'auto', outlierThreshold: null },
    // The same setting the CLI reads (CALLTHEMES_CACHE_DIR, config file, else .cache/ here), not a fixed path.
    cacheDir: cacheDirFrom(),
    services: {},
  };
}

/** The first `length` hex digits of the SHA-256 of the value's canonical JSON (keys sorted). */
export function hashOf(value: unknown, length = 16): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, length);
}

/** The run's settings without its id: two runs with the same hash were asked for the same thing. */
export function configHash(config: RunConfig): string {
  const { runId: _runId, ...rest } = config;
  return hashOf(rest);
}

/** `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`, in every string of a value. */
export function redactUrlPasswords<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v) =>
      typeof v === 'string' ? v.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^@/\s]*@/gi, '$1:***@') : v,
    ),
  ) as T;
}

/** The config as recorded in run metrics: the firm id list summarised, passwords in URLs masked. */
export function describeConfig(config: RunConfig): Record<string, unknown> {
  const { firms, ...rest } = redactUrlPasswords(config);
  return {
    ...rest,
    firms:
      firms === null
        ? 'all'
        : 'limit' in firms
          ? { limit: firms.limit }
          : { file: firms.file, ids: firms.ids.length, idsHash: hashOf(firms.ids) },
  };
}
