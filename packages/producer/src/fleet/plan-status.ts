/**
 * Where a run stands, from the counters and the queues alone (`producer status`, and the local run's wait):
 * per quarter partitions done/expected, firms, themed or not; the queues' visible, in-flight and dead-letter
 * depths. A plan is done when its last quarter is themed.
 */
import { type QuarterState, quarterComplete, type RunPlan } from '@callthemes/common/counters';
import type { Fleet } from '@callthemes/common/fleet';
import { type ThemeRecord, themeRecordKey } from '@callthemes/common/fleet';
import type { LakeStore } from '@callthemes/common/lake';
import type { QueueDepth } from '@callthemes/common/queue';

export interface PlanStatus {
  plan: RunPlan;
  quarters: QuarterState[];
  /** Themes per themed quarter, from the theme worker's records in the lake (when a lake was given). */
  themes: Record<string, number>;
  /** Themed quarters that had no firm to theme (no calls, or all rejected). */
  empty: string[];
  queues: { partitions: QueueDepth; themes: QueueDepth };
  done: boolean;
  /** Quarters whose partitions were all sent but some are neither done nor in the queues: dead letters. */
  stalled: boolean;
}

/** A quarter is stuck when it is incomplete and nothing completed for this long (DESIGN; the dashboard's alarm). */
export const STUCK_AFTER_MS = 30 * 60 * 1000;

export async function planStatus(fleet: Fleet, plan: RunPlan, store?: LakeStore): Promise<PlanStatus> {
  const quarters = await Promise.all(plan.quarters.map((q) => fleet.counters.quarterState(plan.runId, q)));
  const themes: Record<string, number> = {};
  const empty: string[] = [];
  if (store)
    for (const q of quarters.filter((x) => x.themed)) {
      const text = await store.getText(themeRecordKey(plan.runId, q.quarter)).catch(() => null);
      if (!text) continue;
      const record = JSON.parse(text) as ThemeRecord;
      themes[q.quarter] = record.themes;
      if (record.empty) empty.push(q.quarter);
    }
  const [partitions, themesQueue] = await Promise.all([fleet.partitions.depth(), fleet.themes.depth()]);
  const last = quarters[quarters.length - 1];
  const done = last.themed;
  const idle = partitions.visible + partitions.inFlight + themesQueue.visible + themesQueue.inFlight === 0;
  const stalled = !done && idle && partitions.deadLetters + themesQueue.deadLetters > 0;
  return { plan, quarters, themes, empty, queues: { partitions, themes: themesQueue }, done, stalled };
}

export function quarterLine(q: QuarterState, now = Date.now(), themes?: number, empty = false): string {
  const state = q.themed
    ? empty
      ? 'themed: empty (no firm completed)'
      : themes === undefined
        ? 'themed'
        : `themed: ${themes} themes`
    : q.flags.themeEnqueued.sent
      ? 'themes queued'
      : q.expected === null
        ? 'not enqueued'
        : quarterComplete(q)
          ? 'partitions done'
          : 'in progress';
  const stuck =
    state === 'in progress' && q.lastCompletedAt && now - Date.parse(q.lastCompletedAt) > STUCK_AFTER_MS
      ? ' (STUCK: nothing completed for 30 min)'
      : '';
  const parts = q.expected === null ? '-' : `${q.done.length}/${q.expected}`;
  return (
    `${q.quarter}  partitions ${parts.padEnd(9)} firms ${String(q.firmsOk).padStart(5)} ok ` +
    `${String(q.firmsRejected).padStart(4)} rejected   ${state}${stuck}`
  );
}

export function formatPlanStatus(s: PlanStatus): string {
  const d = (x: QueueDepth) => `${x.visible} visible, ${x.inFlight} in flight, ${x.deadLetters} dead letters`;
  const lines = [
    `run ${s.plan.runId} (created ${s.plan.createdAt}): ${s.done ? 'done' : s.stalled ? 'STALLED (dead letters)' : 'not done'}`,
    ...s.quarters.map(
      (q) => `  ${quarterLine(q, Date.now(), s.themes[q.quarter], s.empty.includes(q.quarter))}`,
    ),
    `  queue partitions: ${d(s.queues.partitions)}`,
    `  queue themes:     ${d(s.queues.themes)}`,
  ];
  return `${lines.join('\n')}\n`;
}
