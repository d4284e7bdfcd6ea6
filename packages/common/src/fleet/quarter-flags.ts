/**
 * The two handoffs of the flow, each guarded by a counters flag won by exactly one owner, and each followed by a
 * *sent* mark. The owner is derived from the body of the message being handled (`partitionOwner`, `themeOwner`),
 * never from the transport's message id: SQS gives a redriven message a new id, and a message that claimed a flag
 * and then died into the dead-letter queue must still finish its send once redriven. When the winner dies between
 * claim and send, any later delivery of the same work is the same owner, finds the claim unsent, and sends. A
 * message for other work never wins it, so the guarded send happens once (a duplicate delivery of the winner's own
 * message may send again: harmless, every handler is idempotent).
 */
import type { CompletionResult, QuarterFlag, RunPlan } from '../counters/index.js';
import { encodeMessage } from '../messages/index.js';
import { crashPoint } from './crash-points.js';
import type { Fleet } from './open-fleet.js';
import { raiseService } from './raise-service.js';

/** The claim owner of a partition message's handling: the same for every delivery of that partition. */
export const partitionOwner = (m: { runId: string; quarter: string; partition: number }): string =>
  `partition#${m.runId}#${m.quarter}#${m.partition}`;

/** The claim owner of a theme message's handling: the same for every delivery of that quarter's theme message. */
export const themeOwner = (m: { runId: string; quarter: string }): string => `theme#${m.runId}#${m.quarter}`;

/** True when `owner` holds `flag` and the guarded message is not marked sent: the caller sends it. */
async function shouldSend(
  fleet: Fleet,
  plan: RunPlan,
  quarter: string,
  flag: QuarterFlag,
  owner: string,
): Promise<boolean> {
  if (!(await fleet.counters.claim(plan.runId, quarter, flag, owner))) return false;
  crashPoint('after-claim');
  const state = await fleet.counters.quarterState(plan.runId, quarter);
  return !state.flags[flag].sent;
}

/**
 * Sends the quarter's theme message once; true when this call sent it. `owner`: derived from the message being
 * handled (`partitionOwner`; the producer uses its run id for a quarter without firms).
 */
export async function sendThemeOnce(
  fleet: Fleet,
  plan: RunPlan,
  quarter: string,
  owner: string,
  log?: (line: string) => void,
): Promise<boolean> {
  if (!(await shouldSend(fleet, plan, quarter, 'themeEnqueued', owner))) return false;
  await fleet.themes.send(
    encodeMessage({ v: 1, type: 'theme', runId: plan.runId, quarter, settingsHash: plan.settingsHash }),
  );
  crashPoint('after-send');
  // The theme service rests at zero between quarters; its queue's metrics may lag the send by minutes.
  if (fleet.settings.themeWorkerService)
    await raiseService('theme worker', fleet.settings.themeWorkerService, 1, 1, log);
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
  owner: string,
  log?: (line: string) => void,
): Promise<PartitionCompletion> {
  const res = await fleet.counters.completePartition(plan.runId, quarter, partition, firms);
  const themeSent = res.quarterComplete ? await sendThemeOnce(fleet, plan, quarter, owner, log) : false;
  return { ...res, themeSent };
}

/** The quarter after `quarter` in the plan, or null for the last. */
export function nextQuarterOf(plan: RunPlan, quarter: string): string | null {
  const i = plan.quarters.indexOf(quarter);
  if (i < 0) throw new Error(`${quarter} is not in run ${plan.runId}'s plan (${plan.quarters.join(', ')})`);
  return plan.quarters[i + 1] ?? null;
}

/**
 * After a quarter's themes are written: marks it themed and, when the plan goes on, enqueues the next quarter once
 * (`enqueue` is the resumable quarter enqueue). Returns the next quarter when this call enqueued (or finished
 * enqueueing) it.
 */
export async function finishQuarter(
  fleet: Fleet,
  plan: RunPlan,
  quarter: string,
  enqueue: (quarter: string) => Promise<unknown>,
  owner: string,
): Promise<string | null> {
  await fleet.counters.markThemed(plan.runId, quarter);
  const next = nextQuarterOf(plan, quarter);
  if (next === null) return null;
  if (!(await shouldSend(fleet, plan, quarter, 'nextEnqueued', owner))) return null;
  await enqueue(next);
  await fleet.counters.markSent(plan.runId, quarter, 'nextEnqueued');
  return next;
}
