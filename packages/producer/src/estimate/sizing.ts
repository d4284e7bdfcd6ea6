/**
 * Sizing the fleet for a target: the endpoint's instance count and the firm-worker task count that bring one
 * quarter under a wall-time target within a budget per quarter, from the same model as every other row.
 */
import { type EstimateInputs, fleetPath } from './model.js';

export interface SizingTarget {
  /** Wall seconds one quarter may take. */
  wallSeconds: number;
  /** Dollars one quarter may cost. */
  budgetUsd: number;
}

export interface SizePoint {
  instances: number;
  /** Firm-worker tasks chosen for this instance count (see `tasksFor`). */
  tasks: number;
  wallSeconds: number;
  costUsd: number;
  bottleneck: string;
  meets: boolean;
}

export interface Sizing {
  target: SizingTarget;
  points: SizePoint[];
  /** The cheapest point that meets the target (fewer instances on a tie); null when none does. */
  recommended: SizePoint | null;
  /** The fastest point within the budget, what to read when nothing meets the target. */
  fastestInBudget: SizePoint | null;
}

/** Instance counts the sizing table shows: every count to 16, then a few more. */
export const SIZING_INSTANCES = [...Array.from({ length: 16 }, (_, k) => k + 1), 20, 24, 32];

function withSize(i: EstimateInputs, instances: number, tasks: number): EstimateInputs {
  return { ...i, plan: { ...i.plan, concurrency: tasks }, gpu: { ...i.gpu, gpus: instances } };
}

/**
 * Firm-worker tasks for N instances: at least enough requests in flight to keep N instances busy
 * (N × per-instance invocations ÷ per-task in-flight cap), then the fewest tasks whose quarter is within 1% of
 * the fastest any task count reaches at this N (one per partition), so tasks never set the pace.
 */
export function tasksFor(i: EstimateInputs, instances: number): number {
  const jobs = Math.max(1, Math.ceil(i.workload.firms / i.plan.batchSize));
  const feed =
    i.plan.inFlightPerTask && i.gpu.concurrencyPerInstance
      ? Math.ceil((instances * i.gpu.concurrencyPerInstance) / i.plan.inFlightPerTask)
      : 1;
  let lo = Math.min(Math.max(feed, 1), jobs);
  const wall = (t: number) =>
    fleetPath(i.workload, withSize(i, instances, t).plan, { ...i.gpu, gpus: instances }, i.requests).quarter
      .wallSeconds;
  const best = wall(jobs) * 1.01;
  if (wall(lo) <= best) return lo;
  let hi = jobs;
  // The quarter's wall time never grows with more tasks, so the first count within 1% is found by bisection.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wall(mid) <= best) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function sizeFleet(i: EstimateInputs, target: SizingTarget, instances = SIZING_INSTANCES): Sizing {
  const points = instances.map((n) => {
    const tasks = tasksFor(i, n);
    const sized = withSize(i, n, tasks);
    const e = fleetPath(sized.workload, sized.plan, sized.gpu, sized.requests);
    return {
      instances: n,
      tasks,
      wallSeconds: e.quarter.wallSeconds,
      costUsd: e.quarter.costUsd,
      bottleneck: e.bottleneck,
      meets: e.quarter.wallSeconds <= target.wallSeconds && e.quarter.costUsd <= target.budgetUsd,
    };
  });
  const pick = (ok: (p: SizePoint) => boolean, better: (a: SizePoint, b: SizePoint) => boolean) =>
    points
      .filter(ok)
      .reduce<SizePoint | null>((best, p) => (best === null || better(p, best) ? p : best), null);
  return {
    target,
    points,
    recommended: pick(
      (p) => p.meets,
      (a, b) =>
        a.costUsd < b.costUsd - 1e-9 ||
        (Math.abs(a.costUsd - b.costUsd) <= 1e-9 && a.instances < b.instances),
    ),
    fastestInBudget: pick(
      (p) => p.costUsd <= target.budgetUsd,
      (a, b) => a.wallSeconds < b.wallSeconds,
    ),
  };
}
