/**
 * A rehearsal scenario: what happens on the emulated stack once it is up (the default: enqueue the sample with
 * the producer's own upload, K firm workers and a theme worker, one of each SIGKILLed mid-message and restarted,
 * `producer status` until themed). A scenario module exports a `Scenario`; `scenarios/index.ts` names them for
 * `pnpm rehearse --scenario <name>`. The stack, the stand-in and the artifacts are the context's; a scenario
 * starts tasks through it, so everything is stopped and compared the same way.
 */
import type { ProcessOutput, SageMakerAsyncStandin } from '@callthemes/common/testing';
import type { WorkerName } from './artifact.js';
import type { EmulatedStack } from './emulator.js';
import type { WorkerEvent, WorkerTask } from './processes.js';

export interface RehearsalOptions {
  input: string;
  source: string;
  /** The plan's quarters as the producer takes them (`2021Q1..2021Q2`). */
  quarters: string;
  concurrency: number;
  partitionSize: number;
  /** Time is divided by this (queue visibility, release windows, cold starts). */
  timeScale: number;
}

export interface RehearsalContext {
  options: RehearsalOptions;
  stack: EmulatedStack;
  /** The SageMaker async stand-in: `setCapacity(n)` scales the emulated endpoint (DescribeEndpoint agrees). */
  standin: SageMakerAsyncStandin;
  /** Starts one task of a worker's service: the artifact, the task definition's env and command. */
  startTask(worker: WorkerName): WorkerTask;
  /** Every event of every task, as it comes (listeners may kill tasks). */
  onEvent(listener: (task: WorkerTask, e: WorkerEvent) => void): void;
  /** `pnpm producer <args>` against the emulated stack (the operator's keys, the emulator's endpoint only). */
  producer(args: string[]): Promise<ProcessOutput>;
  /** Resolves when `producer status` says the newest run is done (polled), or rejects after `timeoutMs`. */
  waitUntilThemed(timeoutMs: number): Promise<void>;
  /**
   * Environment added to every task and producer command started after it is set (e.g. a named proxy's
   * `AWS_ENDPOINT_URL_SQS` in front of moto for an API moto lacks); listed as a deviation by the scenario.
   */
  extraEnv: Record<string, string>;
  log(line: string): void;
  /** Lines for the summary, and differences from the template this scenario introduced. */
  report: string[];
  deviations: string[];
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: RehearsalContext): Promise<void>;
}
