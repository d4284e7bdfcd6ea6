/**
 * Run metrics for a run that only ingested (`callthemes ingest` writes no `_runs` file): derived from the rows
 * the run wrote to the lake's firms table. Per-firm CPU seconds are taken as the firm's wall seconds — ingest is
 * single-threaded and CPU-bound on a local lake — and the stage list holds the one `ingest` stage.
 */

import type { LakeStore } from '@callthemes/common/lake';
import { layoutKey } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { FIRM_STAGE } from '@callthemes/firm-worker';
import type { RunMetrics } from '../run/run-metrics.js';
import { runMetricsKey } from './from-run.js';

/** `run-20261129T095213Z-ab12cd` → `2026-11-29T09:52:13Z` (the start time `newRunId` encodes). */
export function runIdTime(runId: string): string | null {
  const m = /^run-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(runId);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}

export async function ingestRunMetrics(store: LakeStore, runId: string): Promise<RunMetrics> {
  runMetricsKey(runId);
  const q = await LakeQuery.open(store);
  try {
    const [s] = await q.rows(
      `SELECT count(*) AS firms, coalesce(sum(n_sentences), 0) AS sentences, coalesce(sum(n_topics), 0) AS topics,
              coalesce(sum(seconds), 0) AS seconds, coalesce(avg(seconds), 0) AS mean,
              coalesce(quantile_cont(seconds, 0.5), 0) AS p50, coalesce(quantile_cont(seconds, 0.9), 0) AS p90,
              list(DISTINCT quarter ORDER BY quarter) AS quarters
       FROM firms WHERE run_id = '${runId}'`,
    );
    const firms = Number(s.firms);
    if (firms === 0) throw new Error(`no firms rows with run_id ${runId} in ${store.root}`);
    const quarters = (s.quarters as unknown[]).map(String);
    const [rej] = await q.rows(
      `SELECT count(*) AS n FROM rejects WHERE stage <> 'list' AND quarter IN (${quarters.map((x) => `'${x}'`).join(',')})`,
    );
    const layout = await store.getText(layoutKey(quarters[0], FIRM_STAGE));
    const batchSize = layout === null ? 0 : Number((JSON.parse(layout) as { batchSize: number }).batchSize);
    const seconds = Number(s.seconds);
    return {
      runId,
      startedAt: runIdTime(runId) ?? new Date().toISOString(),
      finishedAt: null,
      status: 'ok',
      configHash: 'ingest-only',
      config: { stages: ['ingest'], derivedFrom: 'firms rows of the run (ingest writes no _runs file)' },
      quarters,
      counts: {
        firms,
        firmsRejected: Number(rej?.n ?? 0),
        sentences: Number(s.sentences),
        topics: Number(s.topics),
        themes: 0,
      },
      firmSeconds: { p50: Number(s.p50), p90: Number(s.p90), mean: Number(s.mean), n: firms },
      firmCpuSeconds: { mean: Number(s.mean) },
      stages: [{ stage: 'ingest', wallSeconds: seconds, cpuSeconds: seconds, items: firms }],
      llm: {
        requests: 0,
        promptTokens: 0,
        completionTokens: 0,
        cachedTokens: 0,
        cacheHits: 0,
        costUsd: 0,
        perFirm: { requests: 0, promptTokens: 0, completionTokens: 0 },
      },
      embeddings: { requests: 0, tokens: 0 },
      peakRssBytes: 0,
      concurrency: 1,
      batchSize,
    };
  } finally {
    q.close();
  }
}
