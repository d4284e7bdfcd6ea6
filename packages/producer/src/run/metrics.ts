/** One stage over one quarter, as the summary table and the run metrics show it; and a percentile helper. */
import type { z } from 'zod';
import type { stageQuarterSchema } from './run-metrics.js';

/** One stage over one quarter, as the summary table and the metrics show it: the run metrics' schema is its definition. */
export type StageQuarter = z.infer<typeof stageQuarterSchema>;

/** Linear-interpolation percentile (q in [0, 1]) of unsorted values; 0 for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
