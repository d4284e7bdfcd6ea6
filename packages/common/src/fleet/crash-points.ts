/**
 * Named crash points for the reliability tests (the crash windows of DESIGN): with
 * `CALLTHEMES_CRASH_AT=<point>[:<n>]` the process kills itself (SIGKILL, as a spot reclaim or an OOM would) the
 * n-th time (default 1st) it reaches the point. Unset, it costs one environment lookup.
 */
export type CrashPoint =
  /** Won a flag, not yet sent the message it guards. */
  | 'after-claim'
  /** Sent the guarded message, not yet marked it sent. */
  | 'after-send'
  /** Sent some of a quarter's partitions, not all. */
  | 'mid-enqueue'
  /** Wrote the partition's parts and manifest, not yet completed it in the counters or deleted the message. */
  | 'after-write'
  /** Completed the partition in the counters, not yet deleted the message. */
  | 'before-delete';

const hits = new Map<string, number>();

export function crashPoint(point: CrashPoint): void {
  const spec = process.env.CALLTHEMES_CRASH_AT;
  if (!spec) return;
  const [name, nth] = spec.split(':');
  if (name !== point) return;
  const n = (hits.get(point) ?? 0) + 1;
  hits.set(point, n);
  if (n === Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}
