/**
 * The Counters port: what the fleet knows about a run without a coordinator. Every write is idempotent or
 * conditional, so a message handled twice, or two handlers racing, change nothing twice. Adapters:
 * ./dynamodb-counters.ts (AWS) and ./sqlite-counters.ts (local); one contract suite tests both.
 *
 * Crash windows: winning a flag (`claim`) and sending the message it guards are two steps; `markSent` records
 * the second. A claim names its owner (derived from the body of the message being handled, never its transport id,
 * which a DLQ redrive changes): when the winner dies between the two steps, its message is delivered again, its
 * handler claims again under the same owner, finds the flag unsent and sends. Another message racing for the flag never wins it, so the guarded send happens once.
 */

/** The flags a quarter has, each guarding one message: won by exactly one caller, then marked sent. */
export type QuarterFlag = 'themeEnqueued' | 'nextEnqueued';
export const QUARTER_FLAGS: readonly QuarterFlag[] = ['themeEnqueued', 'nextEnqueued'];

/** A quarter's flags as an adapter reads them: `stateOf(flag)` for each flag there is. */
export function flagStates(stateOf: (flag: QuarterFlag) => FlagState): Record<QuarterFlag, FlagState> {
  return Object.fromEntries(QUARTER_FLAGS.map((f) => [f, stateOf(f)])) as Record<QuarterFlag, FlagState>;
}

/**
 * The one answer to "are the quarter's partitions all done": its enqueue recorded how many it has, and that many
 * are completed. (`done`: the completed partitions, or their count.)
 */
export function quarterComplete(q: { expected: number | null; done: readonly number[] | number }): boolean {
  const done = typeof q.done === 'number' ? q.done : q.done.length;
  return q.expected !== null && done === q.expected;
}

/** What a run was asked to do, recorded once by the producer. */
export interface RunPlan {
  runId: string;
  /** Ordered quarters: the theme worker enqueues the one after the quarter it finished. */
  quarters: string[];
  /** Hash of everything the run's output depends on. */
  settingsHash: string;
  /** The run's settings (no secrets), as the workers apply them. */
  settings: Record<string, unknown>;
  createdAt: string;
}

export interface FlagState {
  claimed: boolean;
  sent: boolean;
}

export interface QuarterState {
  quarter: string;
  /** Partitions the quarter was cut into; null before its enqueue recorded it. */
  expected: number | null;
  /** Firms of the quarter's partitions. */
  firms: number | null;
  /** Partition indexes completed, sorted. */
  done: number[];
  /** Partition indexes whose message was sent, sorted. */
  sent: number[];
  /** Firms that completed (ok) and were rejected, summed over completed partitions. */
  firmsOk: number;
  firmsRejected: number;
  flags: Record<QuarterFlag, FlagState>;
  /** The theme worker wrote the quarter's tables (`markThemed`): the one answer to "is the quarter themed". */
  themed: boolean;
  /** ISO time of the last partition completion (for the stuck-quarter check). */
  lastCompletedAt: string | null;
}

export interface CompletionResult {
  /** False when the partition had already been completed (a redelivery). */
  newlyCompleted: boolean;
  done: number;
  expected: number | null;
  /** `quarterComplete` of the quarter after this completion. */
  quarterComplete: boolean;
}

export interface Counters {
  /**
   * Records the plan; if the run exists, returns the recorded one unchanged (the caller checks its
   * settings hash).
   */
  putPlan(plan: RunPlan): Promise<RunPlan>;
  getPlan(runId: string): Promise<RunPlan | null>;
  /** Run ids with a plan, newest first. */
  listRuns(): Promise<RunPlan[]>;
  /**
   * Records how many partitions (and firms) a quarter has. The first value stays: a second call with other
   * numbers returns the recorded ones.
   */
  setExpected(
    runId: string,
    quarter: string,
    expected: number,
    firms: number,
  ): Promise<{ expected: number; firms: number }>;
  /** Records that a partition's message was sent (idempotent). */
  markPartitionSent(runId: string, quarter: string, partition: number): Promise<void>;
  /** Adds the partition to the quarter's completed set, once; firm counts are added only then. */
  completePartition(
    runId: string,
    quarter: string,
    partition: number,
    firms: { ok: number; rejected: number },
  ): Promise<CompletionResult>;
  /**
   * True for exactly one owner per (run, quarter, flag): the first to claim it, and that same owner again (a
   * redelivery of the message that won).
   */
  claim(runId: string, quarter: string, flag: QuarterFlag, owner: string): Promise<boolean>;
  /** Records that the message a claimed flag guards was sent (idempotent). */
  markSent(runId: string, quarter: string, flag: QuarterFlag): Promise<void>;
  /** Records that the quarter's theme tables are written (idempotent); it guards no message. */
  markThemed(runId: string, quarter: string): Promise<void>;
  quarterState(runId: string, quarter: string): Promise<QuarterState>;
  close?(): Promise<void>;
}
