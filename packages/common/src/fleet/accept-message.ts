/**
 * The first step of every handler: parse the message and find its run's plan. A message that can never succeed
 * (malformed, no plan, another settings hash, a quarter outside the plan) goes to the dead-letter queue at once with
 * its reason, and the handler acknowledges it: the worker loop goes on.
 */
import type { RunPlan } from '../counters/counters.js';
import { MalformedMessageError } from '../messages/index.js';
import type { QueueMessage, WorkQueue } from '../queue/work-queue.js';
import type { Fleet } from './open-fleet.js';

export interface AcceptOptions<M> {
  fleet: Fleet;
  /** The queue the message came from (its dead-letter queue takes it). */
  queue: WorkQueue;
  parse(body: string): M;
  log(msg: string, fields?: Record<string, unknown>): void;
  /** Plans already read by this worker (a plan never changes once recorded). */
  plans?: Map<string, RunPlan>;
}

export async function acceptMessage<M extends { runId: string; quarter: string; settingsHash: string }>(
  message: QueueMessage,
  o: AcceptOptions<M>,
): Promise<{ m: M; plan: RunPlan } | null> {
  try {
    const m = o.parse(message.body);
    let plan = o.plans?.get(m.runId) ?? null;
    if (!plan) {
      plan = await o.fleet.counters.getPlan(m.runId);
      if (!plan) throw new MalformedMessageError(`run ${m.runId} has no plan in the counters`);
      o.plans?.set(m.runId, plan);
    }
    if (plan.settingsHash !== m.settingsHash)
      throw new MalformedMessageError(
        `settings hash ${m.settingsHash} is not run ${m.runId}'s (${plan.settingsHash})`,
      );
    if (!plan.quarters.includes(m.quarter))
      throw new MalformedMessageError(`${m.quarter} is not in run ${m.runId}'s plan`);
    return { m, plan };
  } catch (err) {
    if (!(err instanceof MalformedMessageError)) throw err;
    o.log(`dead-lettered message ${message.id}: ${err.message}`, { level: 'error' });
    await o.queue.deadLetter(message, err.message);
    return null;
  }
}
