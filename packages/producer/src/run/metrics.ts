/**
 * Collects what a run did and what it cost, and shapes it as the run-metrics contract
 * (../run-metrics.ts, read by `callthemes estimate --from-run`).
 */

import type { LakeStore } from '@callthemes/common/lake';
import { runKey } from '@callthemes/common/lake';
import { configHash, describeConfig, type RunConfig } from './config.js';
import type { TaskUsage } from './protocol.js';
import { type RunMetrics, runMetricsSchema } from './run-metrics.js';
import type { BatchOutcome, ItemEvent } from './stage.js';

/** One stage over one quarter, as the summary table and the metrics show it. */
export interface StageQuarter {
  stage: string;
  quarter: string;
  /** Batches of the stage for the quarter, those run now, and those a finished earlier attempt left. */
  batches: number;
  batchesRun: number;
  batchesSkipped: number;
  batchesFailed: number;
  itemsOk: number;
  itemsRejected: number;
  counts: Record<string, number>;
  wallSeconds: number;
  cpuSeconds: number;
  interrupted: boolean;
  note?: string;
}

/** Linear-interpolation percentile (q in [0, 1]) of unsorted values; 0 for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export class RunMetricsCollector {
  readonly startedAt = new Date();
  readonly stageQuarters: StageQuarter[] = [];
  private readonly firmSeconds: number[] = [];
  private listingRejects = 0;
  private workerPeakRss = 0;
  private readonly ledger: Record<string, number> = {};
  /** Seconds the worker pool took to start (loading modules and models in every worker). */
  workerStartSeconds = 0;
  /** Seconds the workers took to build each stage's models (the first time in this run). */
  readonly prepareSeconds: Record<string, number> = {};

  constructor(
    readonly config: RunConfig,
    private readonly workerKind: 'thread' | 'process',
  ) {}

  /** Starts timing one stage over one quarter; the returned object is filled as batches finish. */
  begin(stage: string, quarter: string, batches: number, skipped: number, note?: string) {
    const sq: StageQuarter = {
      stage,
      quarter,
      batches,
      batchesRun: 0,
      batchesSkipped: skipped,
      batchesFailed: 0,
      itemsOk: 0,
      itemsRejected: 0,
      counts: {},
      wallSeconds: 0,
      cpuSeconds: 0,
      interrupted: false,
      note,
    };
    this.stageQuarters.push(sq);
    const t0 = performance.now();
    const cpu0 = cpuNow();
    let workerCpu = 0;
    return {
      sq,
      item: (e: ItemEvent) => {
        if (e.stage === 'firm' && e.ok) this.firmSeconds.push(e.seconds);
      },
      batchDone: (outcome: BatchOutcome, usage: TaskUsage) => {
        sq.batchesRun++;
        sq.itemsOk += outcome.itemsOk;
        sq.itemsRejected += outcome.itemsRejected;
        sq.interrupted ||= outcome.interrupted;
        for (const [k, v] of Object.entries(outcome.counts)) sq.counts[k] = (sq.counts[k] ?? 0) + v;
        // A child process's CPU is its own; a thread's is the whole process's, counted by `end` below.
        if (this.workerKind === 'process') {
          workerCpu += usage.cpuSeconds;
          this.workerPeakRss = Math.max(this.workerPeakRss, usage.maxRssBytes);
        }
        for (const [k, v] of Object.entries(usage.ledger ?? {})) this.ledger[k] = (this.ledger[k] ?? 0) + v;
      },
      batchFailed: () => {
        sq.batchesFailed++;
      },
      end: () => {
        sq.wallSeconds = (performance.now() - t0) / 1000;
        sq.cpuSeconds = cpuNow() - cpu0 + workerCpu;
      },
    };
  }

  addListingRejects(n: number): void {
    this.listingRejects += n;
  }

  /** Peak resident memory: the main process (threads included), plus, for child workers, the largest one × K. */
  peakRssBytes(): number {
    const main = process.resourceUsage().maxRSS * 1024;
    return this.workerKind === 'process' ? main + this.workerPeakRss * this.config.concurrency : main;
  }

  toMetrics(status: RunMetrics['status'], extra: Record<string, unknown> = {}): RunMetrics {
    const sum = (stage: string, f: (s: StageQuarter) => number) =>
      this.stageQuarters.filter((s) => s.stage === stage).reduce((a, s) => a + f(s), 0);
    const stages = [...new Set(this.stageQuarters.map((s) => s.stage))].map((stage) => ({
      stage,
      wallSeconds: sum(stage, (s) => s.wallSeconds),
      cpuSeconds: sum(stage, (s) => s.cpuSeconds),
      items: sum(stage, (s) => s.itemsOk),
    }));
    const firms = sum('firm', (s) => s.itemsOk);
    const firmCpu = sum('firm', (s) => s.cpuSeconds);
    const l = (k: string) => this.ledger[k] ?? 0;
    const metrics = {
      runId: this.config.runId,
      startedAt: this.startedAt.toISOString(),
      node: process.version,
      finishedAt: status === 'running' ? null : new Date().toISOString(),
      status,
      configHash: configHash(this.config),
      config: describeConfig(this.config),
      quarters: this.config.quarters,
      counts: {
        firms,
        firmsRejected: sum('firm', (s) => s.itemsRejected) + this.listingRejects,
        sentences: sum('firm', (s) => s.counts.sentences ?? 0),
        topics: sum('firm', (s) => s.counts.topics ?? 0),
        themes: sum('themes', (s) => s.counts.themes ?? 0),
      },
      firmSeconds: {
        p50: percentile(this.firmSeconds, 0.5),
        p90: percentile(this.firmSeconds, 0.9),
        mean: this.firmSeconds.length
          ? this.firmSeconds.reduce((a, b) => a + b, 0) / this.firmSeconds.length
          : 0,
        n: this.firmSeconds.length,
      },
      firmCpuSeconds: { mean: firms > 0 ? firmCpu / firms : 0 },
      stages,
      llm: {
        requests: l('requests'),
        promptTokens: l('promptTokens'),
        completionTokens: l('completionTokens'),
        cachedTokens: l('cachedPromptTokens'),
        cacheHits: l('cacheHits'),
        costUsd: l('costUsd'),
        perFirm: {
          requests: firms > 0 ? l('requests') / firms : 0,
          promptTokens: firms > 0 ? l('promptTokens') / firms : 0,
          completionTokens: firms > 0 ? l('completionTokens') / firms : 0,
        },
      },
      embeddings: { requests: l('embedRequests'), tokens: l('embedTokens') },
      peakRssBytes: this.peakRssBytes(),
      concurrency: this.config.concurrency,
      batchSize: this.config.batchSize,
      workers: this.workerKind,
      workerStartSeconds: this.workerStartSeconds,
      prepareSeconds: this.prepareSeconds,
      stageQuarters: this.stageQuarters,
      ...extra,
    };
    return runMetricsSchema.parse(metrics);
  }

  async write(store: LakeStore, status: RunMetrics['status'], extra: Record<string, unknown> = {}) {
    const m = this.toMetrics(status, extra);
    await store.putText(runKey(this.config.runId), `${JSON.stringify(m, null, 2)}\n`);
    return m;
  }
}
