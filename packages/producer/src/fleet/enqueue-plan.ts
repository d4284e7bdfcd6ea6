/**
 * `producer enqueue`: records the run's plan in the counters and enqueues its first quarter. Enqueueing the same
 * plan again adds nothing (the plan is recorded once, sent partitions are marked), and a crashed enqueue resumes
 * with the partitions it had not sent. The run id defaults to a hash of the plan, so the same command names the
 * same run.
 */
import type { RunPlan } from '@callthemes/common/counters';
import { type EnqueueResult, enqueueQuarter, type Fleet, settingsHash } from '@callthemes/common/fleet';
import type { LakeStore } from '@callthemes/common/lake';
import type { TranscriptSource } from '@callthemes/common/sources';
import type { PlanRequest } from './plan-options.js';

export class PlanConflictError extends Error {}

export function runIdOf(req: PlanRequest): string {
  return req.runId ?? `run-${settingsHash(req.quarters, req.settings).slice(0, 12)}`;
}

export async function recordPlan(fleet: Fleet, req: PlanRequest): Promise<RunPlan> {
  const hash = settingsHash(req.quarters, req.settings);
  const runId = runIdOf(req);
  const plan = await fleet.counters.putPlan({
    runId,
    quarters: req.quarters,
    settingsHash: hash,
    settings: req.settings as unknown as Record<string, unknown>,
    createdAt: new Date().toISOString(),
  });
  if (plan.settingsHash !== hash)
    throw new PlanConflictError(
      `run ${runId} already exists with other settings (quarters ${plan.quarters.join(', ')}); ` +
        'choose another --run-id, or drop --run-id to name the run after its plan',
    );
  return plan;
}

export async function enqueuePlan(
  d: { fleet: Fleet; store: LakeStore; source: TranscriptSource; log?: (line: string) => void },
  req: PlanRequest,
): Promise<{ plan: RunPlan; first: EnqueueResult }> {
  const plan = await recordPlan(d.fleet, req);
  const first = await enqueueQuarter({ ...d, plan }, plan.quarters[0]);
  return { plan, first };
}
