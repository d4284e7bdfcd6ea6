/**
 * The seam between the run orchestrator and the stages: each stage is a function `(config, quarter, batch) →
 * writes to the lake`, plus what the orchestrator needs to plan, skip and report its batches. Stages register in
 * ./stages.ts; the orchestrator knows nothing of what a stage computes.
 */
import type { LakeStore, TableName } from '@callthemes/common/lake';
import type { FirmRef, TranscriptSource } from '@callthemes/common/sources';
import type { RunConfig } from './config.js';

/** One finished item (a firm) of a batch, as the progress display and the metrics see it. */
export interface ItemEvent {
  stage: string;
  quarter: string;
  itemId: string;
  ok: boolean;
  /** Wall seconds of the item. */
  seconds: number;
  /** Rows written for the item, by what they are (sentences, topics, labels...). */
  counts: Record<string, number>;
  reason?: string;
}

/** One batch of one stage for one quarter: what a worker is asked to do. */
export interface StageTask {
  id: number;
  stage: string;
  quarter: string;
  batch: number;
  batchSize: number;
  /** Hash of everything the batch's output depends on; stored in its manifest, compared on resume. */
  fingerprint: string;
}

export interface BatchOutcome {
  itemsOk: number;
  itemsRejected: number;
  /** Rows written by the batch, by what they are. */
  counts: Record<string, number>;
  /** True when stopped early (SIGTERM): parts written so far are kept, no manifest. */
  interrupted: boolean;
}

/** What a stage can use in the main process to plan a quarter. */
export interface PlanEnv {
  config: RunConfig;
  store: LakeStore;
  source: TranscriptSource;
  /** The quarter's selected firms, sorted by id (the firm stage's listing). */
  firms: readonly FirmRef[];
}

/** What a stage can use inside a worker. Parts are built on first use and kept for later batches. */
export interface WorkerEnv {
  config: RunConfig;
  store: LakeStore;
  /** Items of a quarter that the main process shared before sending the stage's tasks (see `plan`). */
  shared(stage: string, quarter: string): unknown;
  /**
   * Registers a counter of service usage (LLM requests, tokens, cost) that only grows; the worker reports its
   * growth over each batch to the run's ledger.
   */
  reportUsage(counter: () => Record<string, number>): void;
  /** A value built once per worker (a source, a model), closed when the worker ends. */
  once<T>(key: string, build: () => Promise<T>, close?: (value: T) => Promise<void>): Promise<T>;
}

export interface QuarterPlan {
  /** Ids of the stage's items for the quarter, sorted: batch I holds items [I·size, (I+1)·size). */
  items: string[];
  /** Data every worker needs for the quarter's batches (e.g. the firm listing); sent once per quarter. */
  shared: unknown;
  /** Why the stage does nothing this quarter (e.g. no firms in the lake), when `items` is empty. */
  note?: string;
}

export interface StageDef {
  name: string;
  /** What one item is called in progress lines ("firms"). */
  unit: string;
  /** Tables whose per-batch parts the stage writes (its rejects come on top). */
  tables: TableName[];
  /** `firms`: batches of `--batch-size` firms on the pool; `quarter`: one job for the whole quarter. */
  batching: 'firms' | 'quarter';
  /** Settings that change this stage's output; upstream stages' settings are added by the orchestrator. */
  settings(config: RunConfig): Record<string, unknown>;
  /**
   * Worker, once before its first batch of the stage: build what the batches share (source, models) with
   * `env.once`. The pool prepares one worker first, then the others, so a cache built on first use is built once.
   */
  prepare?(env: WorkerEnv): Promise<void>;
  /** Main process, before the stage's batches: the quarter's items. */
  plan(env: PlanEnv, quarter: string): Promise<QuarterPlan>;
  /** Worker: one batch, writing parts and, last, its manifest with `fingerprint` in it. */
  runBatch(
    env: WorkerEnv,
    task: StageTask,
    onItem: (e: ItemEvent) => void,
    signal: AbortSignal,
  ): Promise<BatchOutcome>;
  /**
   * The plain progress line after an item, e.g. "AAPL 2021Q2: 412 sentences, 23 topics, 0.21 s", or null for
   * none (a stage that only reports its rejects).
   */
  describeItem(e: ItemEvent): string | null;
}
