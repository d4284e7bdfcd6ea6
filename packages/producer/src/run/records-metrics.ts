/**
 * The run-metrics contract (`_runs/<run_id>.json`, read by `callthemes estimate --from-run`) totalled from the
 * records the workers left in the lake (common fleet/run-records): what this invocation did (records finished
 * since it started) apart from what an earlier attempt had done (counted as skipped).
 */
import { redactUrlPasswords } from '@callthemes/common/config';
import type { RunPlan } from '@callthemes/common/counters';
import type { PartitionRecord, PlanSettings, ThemeRecord } from '@callthemes/common/fleet';
import type { StageQuarter } from './metrics.js';
import { percentile } from './metrics.js';
import { type RunMetrics, runMetricsSchema } from './run-metrics.js';

export interface RecordsMetricsInput {
  plan: RunPlan;
  partitions: PartitionRecord[];
  themes: ThemeRecord[];
  /** Partitions per quarter (the counters' expected). */
  expected: Record<string, number | null>;
  startedAt: Date;
  status: RunMetrics['status'];
  concurrency: number;
  listingRejects: number;
  peakRssBytes: number;
  workerStartSeconds: number;
  extra?: Record<string, unknown>;
}

/** Work this invocation did: finished since it started, and not a partition reused from an earlier run. */
function ranNow(r: { finishedAt: string; reused?: boolean }, startedAt: Date): boolean {
  return !r.reused && Date.parse(r.finishedAt) >= startedAt.getTime();
}

const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);

/** Wall seconds a set of records spans: from the earliest start to the latest finish. */
function span(records: readonly { finishedAt: string; wallSeconds: number }[]): number {
  if (records.length === 0) return 0;
  const ends = records.map((r) => Date.parse(r.finishedAt));
  const starts = records.map((r) => Date.parse(r.finishedAt) - r.wallSeconds * 1000);
  return (Math.max(...ends) - Math.min(...starts)) / 1000;
}

export function stageQuartersOf(
  i: Omit<
    RecordsMetricsInput,
    'status' | 'peakRssBytes' | 'workerStartSeconds' | 'concurrency' | 'listingRejects'
  >,
): StageQuarter[] {
  const now = (r: { finishedAt: string; reused?: boolean }) => ranNow(r, i.startedAt);
  const out: StageQuarter[] = [];
  for (const quarter of i.plan.quarters) {
    const all = i.partitions.filter((r) => r.quarter === quarter);
    const ran = all.filter(now);
    const expected = i.expected[quarter] ?? null;
    if (expected === null && all.length === 0) continue;
    out.push({
      stage: 'firm',
      quarter,
      batches: expected ?? all.length,
      batchesRun: ran.length,
      batchesSkipped: all.length - ran.length,
      batchesFailed: 0,
      itemsOk: sum(ran, (r) => r.firmsOk),
      itemsRejected: sum(ran, (r) => r.firmsRejected),
      counts: {
        sentences: sum(ran, (r) => r.sentences),
        topics: sum(ran, (r) => r.topics),
        labels: sum(ran, (r) => sum(Object.values(r.labels), (n) => n)),
      },
      wallSeconds: span(ran),
      cpuSeconds: sum(ran, (r) => r.cpuSeconds),
      interrupted: false,
      note: expected === 0 ? 'no firms in the quarter' : undefined,
    });
    const th = i.themes.filter((r) => r.quarter === quarter);
    if (th.length > 0) {
      const r = th[0];
      const isNow = now(r);
      out.push({
        stage: 'themes',
        quarter,
        batches: 1,
        batchesRun: isNow ? 1 : 0,
        batchesSkipped: isNow ? 0 : 1,
        batchesFailed: 0,
        itemsOk: isNow ? r.firms : 0,
        itemsRejected: 0,
        counts: isNow ? { themes: r.themes, topics: r.topics, links: r.links } : {},
        wallSeconds: isNow ? r.wallSeconds : 0,
        cpuSeconds: isNow ? r.cpuSeconds : 0,
        interrupted: false,
      });
    }
  }
  return out;
}

export function metricsFromRecords(i: RecordsMetricsInput): RunMetrics {
  const ran = i.partitions.filter((r) => ranNow(r, i.startedAt));
  const themesRan = i.themes.filter((r) => ranNow(r, i.startedAt));
  const stageQuarters = stageQuartersOf(i);
  const firms = sum(ran, (r) => r.firmsOk);
  const firmSeconds = ran.flatMap((r) => r.firmSeconds);
  const ledger: Record<string, number> = {};
  for (const r of [...ran, ...themesRan])
    for (const [k, v] of Object.entries(r.ledger)) ledger[k] = (ledger[k] ?? 0) + v;
  const l = (k: string) => ledger[k] ?? 0;
  const stages = ['firm', 'themes']
    .map((stage) => {
      const sq = stageQuarters.filter((s) => s.stage === stage);
      return {
        stage,
        wallSeconds: sum(sq, (s) => s.wallSeconds),
        cpuSeconds: sum(sq, (s) => s.cpuSeconds),
        items: sum(sq, (s) => s.itemsOk),
      };
    })
    .filter((s) => stageQuarters.some((q) => q.stage === s.stage));
  const s = i.plan.settings as unknown as PlanSettings;
  const firmCpu = sum(ran, (r) => r.cpuSeconds);
  return runMetricsSchema.parse({
    runId: i.plan.runId,
    startedAt: i.startedAt.toISOString(),
    node: process.version,
    finishedAt: i.status === 'running' ? null : new Date().toISOString(),
    status: i.status,
    configHash: i.plan.settingsHash,
    config: redactUrlPasswords({
      ...s,
      firms:
        s.firms === null
          ? 'all'
          : 'limit' in s.firms
            ? { limit: s.firms.limit }
            : { file: s.firms.file, ids: s.firms.ids.length },
      quarters: i.plan.quarters,
      concurrency: i.concurrency,
    }),
    quarters: i.plan.quarters,
    counts: {
      firms,
      firmsRejected: sum(ran, (r) => r.firmsRejected) + i.listingRejects,
      sentences: sum(ran, (r) => r.sentences),
      topics: sum(ran, (r) => r.topics),
      themes: sum(themesRan, (r) => r.themes),
    },
    firmSeconds: {
      p50: percentile(firmSeconds, 0.5),
      p90: percentile(firmSeconds, 0.9),
      mean: firmSeconds.length ? sum(firmSeconds, (x) => x) / firmSeconds.length : 0,
      n: firmSeconds.length,
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
    peakRssBytes: i.peakRssBytes,
    concurrency: i.concurrency,
    batchSize: s.partitionSize,
    workerStartSeconds: i.workerStartSeconds,
    prepareSeconds: {},
    stageQuarters,
    ...i.extra,
  });
}
