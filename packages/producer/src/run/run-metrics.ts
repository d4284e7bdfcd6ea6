/**
 * Run metrics written to `<lake>/_runs/<run_id>.json` by `callthemes run` and read by `callthemes estimate
 * --from-run`. The schema is the contract between the two.
 */
import { z } from 'zod';

export const stageMetricsSchema = z.object({
  stage: z.string(),
  wallSeconds: z.number(),
  cpuSeconds: z.number(),
  items: z.number().int(),
});

export const ledgerSchema = z.object({
  requests: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cachedTokens: z.number().int(),
  cacheHits: z.number().int(),
  costUsd: z.number(),
});

/** One stage over one quarter of a local run (optional in the contract: older files lack it). */
export const stageQuarterSchema = z.object({
  stage: z.string(),
  quarter: z.string(),
  /** Partitions of the stage for the quarter, those run now, and those a finished earlier attempt left. */
  batches: z.number().int(),
  batchesRun: z.number().int(),
  /** Partitions a finished earlier attempt had written (resume): not redone, not timed. */
  batchesSkipped: z.number().int(),
  batchesFailed: z.number().int(),
  itemsOk: z.number().int(),
  itemsRejected: z.number().int(),
  counts: z.record(z.string(), z.number()),
  wallSeconds: z.number(),
  cpuSeconds: z.number(),
  interrupted: z.boolean(),
  note: z.string().optional(),
});

export const runMetricsSchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  /** The Node.js version that ran it (the models' results are the same on every supported version). */
  node: z.string().optional(),
  finishedAt: z.string().nullable(),
  status: z.enum(['running', 'ok', 'failed', 'interrupted']),
  configHash: z.string(),
  config: z.record(z.string(), z.unknown()),
  quarters: z.array(z.string()),
  counts: z.object({
    firms: z.number().int(),
    firmsRejected: z.number().int(),
    sentences: z.number().int(),
    topics: z.number().int(),
    themes: z.number().int(),
  }),
  /** Per-firm wall seconds of the firm stage. */
  firmSeconds: z.object({ p50: z.number(), p90: z.number(), mean: z.number(), n: z.number().int() }),
  /** Per-firm CPU seconds of the firm stage (what a cloud estimate scales). */
  firmCpuSeconds: z.object({ mean: z.number() }),
  stages: z.array(stageMetricsSchema),
  llm: ledgerSchema.extend({
    perFirm: z.object({ requests: z.number(), promptTokens: z.number(), completionTokens: z.number() }),
  }),
  embeddings: z.object({ requests: z.number().int(), tokens: z.number().int() }),
  peakRssBytes: z.number().int(),
  concurrency: z.number().int(),
  batchSize: z.number().int(),
  /**
   * Optional fields added by the local run (`callthemes run`); `counts` above are this invocation's work. (Older
   * files also hold `workers`, the mode of a retired in-process pool; it is ignored.)
   */
  /** Seconds the firm worker processes took to start; not part of any stage's wall time. */
  workerStartSeconds: z.number().optional(),
  /** Seconds the workers took to load each stage's models before its first partition (not in the stage's wall). */
  prepareSeconds: z.record(z.string(), z.number()).optional(),
  stageQuarters: z.array(stageQuarterSchema).optional(),
  /** Rows in the lake for the run's quarters when it ended (earlier attempts' partitions included). */
  lakeCounts: z.record(z.string(), z.number()).optional(),
  errors: z.array(z.string()).optional(),
});

export type RunMetrics = z.infer<typeof runMetricsSchema>;
