/** Messages between the run's main process and its workers (threads or child processes alike). */
import type { RunConfig } from './config.js';
import type { BatchOutcome, ItemEvent, StageTask } from './stage.js';

export type ToWorker =
  | { type: 'init'; config: RunConfig }
  | { type: 'share'; stage: string; quarter: string; data: unknown }
  /** Build what the stage's batches need (source, models) before the first batch. */
  | { type: 'prepare'; stage: string }
  | { type: 'task'; task: StageTask }
  /** Finish the current item, flush, and answer the task as interrupted. */
  | { type: 'stop' }
  | { type: 'close' };

/** Resources one task used, measured inside the worker. */
export interface TaskUsage {
  wallSeconds: number;
  /** CPU seconds of the worker's process during the task; for threads that is the whole process's. */
  cpuSeconds: number;
  /** The worker process's peak resident set so far. */
  maxRssBytes: number;
  /** LLM/embedding usage of the task, when a service client counted it. */
  ledger?: Record<string, number>;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'prepared'; stage: string; error?: string }
  | { type: 'item'; taskId: number; event: ItemEvent }
  | { type: 'done'; taskId: number; outcome: BatchOutcome; usage: TaskUsage }
  | { type: 'failed'; taskId: number; message: string; stack?: string }
  | { type: 'fatal'; message: string; stack?: string };
