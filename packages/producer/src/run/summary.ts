/** The table printed when a run ends: one row per stage and quarter, then the run's totals. */
import { runKey } from '@callthemes/common/lake';
import { formatRows } from '@callthemes/common/query';
import type { RunMetrics } from './run-metrics.js';

const round = (x: number, d = 1) => Number(x.toFixed(d));

export function summaryTable(m: RunMetrics): string {
  const rows = (m.stageQuarters ?? []).map((s) => ({
    stage: s.stage,
    quarter: s.quarter,
    batches: s.batches,
    run: s.batchesRun,
    skipped: s.batchesSkipped,
    failed: s.batchesFailed,
    items: s.itemsOk,
    rejected: s.itemsRejected,
    rows: Object.entries(s.counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', '),
    wall_s: round(s.wallSeconds),
    cpu_s: round(s.cpuSeconds),
    items_per_s: s.wallSeconds > 0 ? round(s.itemsOk / s.wallSeconds) : 0,
  }));
  const lines = [rows.length > 0 ? formatRows(rows, 'table').trimEnd() : '(no stage ran)'];
  const wall = m.stages.reduce((a, s) => a + s.wallSeconds, 0);
  lines.push(
    `run ${m.runId}: ${m.status}; ${m.counts.firms} firms (${m.counts.firmsRejected} rejected), ` +
      `${m.counts.sentences} sentences, ${m.counts.topics} topics, ${m.counts.themes} themes in ${wall.toFixed(1)} s ` +
      `on ${m.concurrency} firm worker process(es); firm p50 ${m.firmSeconds.p50.toFixed(2)} s, ` +
      `p90 ${m.firmSeconds.p90.toFixed(2)} s; peak memory ${(m.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
  );
  if (m.llm.requests > 0 || m.llm.cacheHits > 0)
    lines.push(
      `LLM: ${m.llm.requests} requests (${m.llm.cacheHits} answered from cache), ` +
        `${m.llm.promptTokens + m.llm.completionTokens} tokens, $${m.llm.costUsd.toFixed(4)}`,
    );
  if (m.lakeCounts)
    lines.push(
      `lake now holds for ${m.quarters.join(', ')}: ` +
        Object.entries(m.lakeCounts)
          .filter(([, n]) => n > 0)
          .map(([t, n]) => `${t} ${n}`)
          .join(', '),
    );
  lines.push(`metrics: ${runKey(m.runId)}`);
  return `${lines.join('\n')}\n`;
}
