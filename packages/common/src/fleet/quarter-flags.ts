/**
 * The two handoffs of the flow, each guarded by a counters flag so exactly one caller wins, and each followed by
 * a *sent* mark: a caller that finds the flag claimed but not sent (the winner crashed in between) sends again.
 * Duplicates this may cause are harmless because every handler is idempotent.
 */
import type { CompletionResult, QuarterFlag, RunPlan } from '../counters/index.js';
import { encodeMessage } from '../messages/index.js';
import { crashPoint } from './crash-points.js';
import type { Fleet } from './open-fleet.js';

/** Claims `flag` or finds it claimed and unsent; true when the caller should do the guarded send. */
async function shouldSend(fleet: Fleet, plan: RunPlan, quarter: string, flag: QuarterFlag): Promise<boolean> {
  if (await fleet.counters.claim(plan.runId, quarter, flag)) {
    crashPoint('after-claim');
    return true;
  }
  const state = await fleet.counters.quarterState(plan.runId, quarter);
  return !state.flags[flag].sent;
}

/** Sends the quarter's theme message unless it was sent; true when this call sent it. */
export async function sendThemeOnce(fleet: Fleet, plan: RunPlan, quarter: string): Promise<boolean> {
  if (!(await shouldSend(fleet, plan, quarter, 'themeEnqueued'))) return false;
  await fleet.themes.send(
    encodeMessage({ v: 1, type: 'theme', runId: plan.runId, quarter, settingsHash: plan.settingsHash }),
  );
  crashPoint('after-send');
  await fleet.counters.markSent(plan.runId, quarter, 'themeEnqueued');
  return true;
}

export interface PartitionCompletion extends CompletionResult {
  themeSent: boolean;
}

/** Completes the partition (idempotent); when that completes the quarter, the theme message goes once. */
export async function completePartition(
  fleet: Fleet,
  plan: RunPlan,
  quarter: string,
  partition: number,
  firms: { ok: number; rejected: number },
): Promise<PartitionCompletion> {
  const res = await fleet.counters.completePartition(plan.runId, quarter, partition, firms);
  const themeSent = res.quarterComplete ? await sendThemeOnce(fleet, plan, quarter) : false;
  return { ...res, themeSent };
}

/** The quarter after `quarter` in the plan, or null for the last. */
export function nextQuarterOf(plan: RunPlan, quarter: string): string | null {
  const i = plan.quarters.indexOf(quarter);
  if (i < 0) throw new Error(`${quarter} is not in run ${plan.runId}'s plan (${plan.quarters.join(', ')})`);
  return plan.quarters[i + 1] ?? null;
}

/**
 * After a quarter's themes are written: marks it done and, when the plan goes on, enqueues the next quarter once
 * (`enqueue` is the resumable quarter enqueue). Returns the next quarter when this call enqueued (or finished
 * enqueueing) it.
 */
export async function finishQuarter(
  fleet: Fleet,
  plan: RunPlan,
  quarter: string,
  enqueue: (quarter: string) => Promise<unknown>,
): Promise<string | null> {
  await fleet.counters.claim(plan.runId, quarter, 'quarterDone');
  await fleet.counters.markSent(plan.runId, quarter, 'quarterDone');
  const next = nextQuarterOf(plan, quarter);
  if (next === null) return null;
  if (!(await shouldSend(fleet, plan, quarter, 'nextEnqueued'))) return null;
  await enqueue(next);
  await fleet.counters.markSent(plan.runId, quarter, 'nextEnqueued');
  return next;
}
