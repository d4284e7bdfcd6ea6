/** One stage over one quarter, as the summary table and the run metrics show it; and a percentile helper. */

/** One stage over one quarter, as the summary table and the metrics show it. */
export interface StageQuarter {
  stage: string;
  quarter: string;
  /** Partitions of the stage for the quarter, those run now, and those a finished earlier attempt left. */
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
