/** Reads a run's metrics (`<lake>/_runs/<run_id>.json`) and validates them against the run-metrics contract. */
import type { LakeStore } from '@callthemes/common/lake';
import { type RunMetrics, runMetricsSchema } from '../run/run-metrics.js';

export const RUNS_PREFIX = '_runs';

export function runMetricsKey(runId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(runId))
    throw new Error(`invalid run id "${runId}": letters, digits, . _ - only`);
  return `${RUNS_PREFIX}/${runId}.json`;
}

export async function readRunMetrics(store: LakeStore, runId: string): Promise<RunMetrics> {
  const key = runMetricsKey(runId);
  const where = `${store.root.replace(/\/+$/, '')}/${key}`;
  const text = await store.getText(key);
  if (text === null) {
    const known = (await store.list(RUNS_PREFIX))
      .filter((k) => k.endsWith('.json'))
      .map((k) => k.slice(RUNS_PREFIX.length + 1, -'.json'.length));
    throw new Error(
      `run metrics not found: ${where}` +
        (known.length > 0
          ? ` (runs in this lake: ${known.slice(-5).join(', ')})`
          : ' (this lake has no runs)'),
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`run metrics ${where}: not JSON: ${(err as Error).message}`);
  }
  const parsed = runMetricsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`run metrics ${where}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  if (parsed.data.runId !== runId)
    throw new Error(`run metrics ${where}: runId is "${parsed.data.runId}", expected "${runId}"`);
  return parsed.data;
}
