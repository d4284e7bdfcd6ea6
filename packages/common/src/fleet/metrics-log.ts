/**
 * The fleet's metrics as CloudWatch embedded-metric-format (EMF) log lines: on AWS the awslogs driver ships a
 * worker's stdout to CloudWatch Logs, which turns these lines into metrics (`PartitionsCompleted`,
 * `FirmsCompleted`, dimension `Quarter`); locally the run reads the same lines for its progress display.
 */
export const METRICS_NAMESPACE = 'Callthemes';

export interface FleetEvent {
  /** `firm` (one firm done), `partition` (a partition completed), `theme` (a quarter themed), `log`. */
  event: string;
  [field: string]: unknown;
}

/** A worker's log: each call writes one `log` event line with the message, the worker's id and any fields. */
export function workerLog(
  emit: (line: string) => void,
  workerId: string,
): (msg: string, fields?: Record<string, unknown>) => void {
  return (msg, fields = {}) => emit(eventLine({ event: 'log', msg, worker: workerId, ...fields }));
}

/** A JSON line with the event's fields, plus the EMF block when it carries metrics. */
export function eventLine(e: FleetEvent, metrics: Record<string, number> = {}, quarter?: string): string {
  const names = Object.keys(metrics);
  if (names.length === 0) return JSON.stringify(e);
  return JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [quarter ? ['Quarter'] : []],
          Metrics: names.map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    ...(quarter ? { Quarter: quarter } : {}),
    ...metrics,
    ...e,
  });
}

/** Parses a worker's stdout line back into its event; null for other output. */
export function parseEventLine(line: string): FleetEvent | null {
  if (!line.startsWith('{')) return null;
  try {
    const v = JSON.parse(line) as FleetEvent;
    return typeof v.event === 'string' ? v : null;
  } catch {
    return null;
  }
}
