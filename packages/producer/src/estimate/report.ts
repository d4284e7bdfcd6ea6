/** The estimate as one object (what `--format json` prints) and the sweeps the table and chart show. */
import type { EstimateOptions, ResolvedInputs } from './inputs.js';
import {
  type EstimateInputs,
  estimatePath,
  PATHS,
  type PathEstimate,
  type PathKind,
  type SweepPoint,
  sweep,
} from './model.js';
import { type SizePoint, type Sizing, sizeFleet } from './sizing.js';
import type { WhatIf } from './what-if.js';

export const CONCURRENCY_SWEEP = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
export const BATCH_SIZE_SWEEP = [1, 5, 10, 25, 50, 100, 250, 500, 1000];
export const GPU_SWEEP = [1, 2, 4, 8, 16, 32];
/** The goal's horizons: 8 quarters (two years) and 100 (25 years of calls). */
export const GOAL_QUARTERS = [8, 100];

export interface EstimateReport {
  /** The plan as given (inputs.ts documents each), then what the table prints beside it. */
  scenario: Pick<
    EstimateOptions,
    'firms' | 'quarters' | 'batchSize' | 'concurrency' | 'gpus' | 'gpuInstance' | 'llmApi' | 'embedApi'
  > & {
    /** The deployment's endpoint maximum and firm-service maximum (common/config/deployment). */
    deployedInstances: number;
    deployedTasks: number;
    /** Fargate size of a firm-worker task, e.g. `1 vCPU, 4 GB`. */
    task: string;
    pricing: string;
    priceFile: string;
    pricesAsOf: string;
    fromRun: string | null;
  };
  paths: PathEstimate[];
  sweeps: {
    path: 'fleet' | 'hosted-api';
    concurrency: SweepPoint[];
    batchSize: SweepPoint[];
  }[];
  /** The fleet path against the number of endpoint instances. */
  gpuSweep: SweepPoint[];
  /**
   * The goals: the scenario's firms over 8 and 100 quarters on every path (wall time, dollars, bottleneck).
   * Quarters run one after another, so a goal is the quarter times its count.
   */
  goals: { quarters: number; path: PathKind; wallSeconds: number; costUsd: number; bottleneck: string }[];
  targets: {
    budgetUsdPerQuarter: number | null;
    deadlineHours: number | null;
    meets: Record<string, boolean>;
  };
  /** Endpoint instances and firm-worker tasks for one quarter under the wall-time target within the budget. */
  sizing: Sizing;
  /** The same sizing with one serving assumption changed, and the quarter at the scenario's instance count. */
  whatIfs: {
    name: string;
    note: string;
    size: SizePoint | null;
    meets: boolean;
    atScenario: { wallSeconds: number; costUsd: number; bottleneck: string };
  }[];
  /** What self-hosting costs against the hosted API, and the rate limits each side assumes. */
  trade: {
    selfHostedUsd: number;
    selfHostedWallSeconds: number;
    hostedUsd: number;
    hostedWallSeconds: number;
    hostedLlmRequestsPerSecond: number;
    hostedEmbedTextsPerSecond: number;
    priorRequestsPerSecond: number;
  };
  inputs: ResolvedInputs['provenance'];
  warnings: string[];
}

/** The user's target for one quarter: under an hour, within $100 (8 quarters by next weekend). */
export const DEFAULT_SIZING_TARGET = { wallHours: 1, budgetUsd: 100 };

export function buildReport(
  resolved: ResolvedInputs,
  scenario: EstimateReport['scenario'],
  targets: { budgetUsdPerQuarter?: number; deadlineHours?: number; targetWallHours?: number },
  whatIfRows: WhatIf[] = [],
): EstimateReport {
  const i: EstimateInputs = resolved.inputs;
  const paths = PATHS.map((p) => estimatePath(p, i));
  // The chosen setting is always one of the points, so the table and the chart show it.
  const withChosen = (values: number[], chosen: number) =>
    [...new Set([...values, chosen])].sort((a, b) => a - b);
  const sweeps = (['fleet', 'hosted-api'] as const).map((path) => ({
    path,
    concurrency: sweep(path, i, 'concurrency', withChosen(CONCURRENCY_SWEEP, i.plan.concurrency)),
    batchSize: sweep(path, i, 'batchSize', withChosen(BATCH_SIZE_SWEEP, i.plan.batchSize)),
  }));
  const gpuSweep = sweep('fleet', i, 'gpus', withChosen(GPU_SWEEP, i.gpu.gpus));
  const goals = GOAL_QUARTERS.flatMap((quarters) =>
    paths.map((p) => ({
      quarters,
      path: p.path,
      wallSeconds: p.quarter.wallSeconds * quarters,
      costUsd: p.quarter.costUsd * quarters,
      bottleneck: p.bottleneck,
    })),
  );
  const meets: Record<string, boolean> = {};
  for (const p of paths) {
    meets[p.path] =
      (targets.budgetUsdPerQuarter === undefined || p.quarter.costUsd <= targets.budgetUsdPerQuarter) &&
      (targets.deadlineHours === undefined || p.total.wallSeconds <= targets.deadlineHours * 3600);
  }
  const sizingTarget = {
    wallSeconds: (targets.targetWallHours ?? DEFAULT_SIZING_TARGET.wallHours) * 3600,
    budgetUsd: targets.budgetUsdPerQuarter ?? DEFAULT_SIZING_TARGET.budgetUsd,
  };
  const sizing = sizeFleet(i, sizingTarget);
  const whatIfs = whatIfRows.map((v) => {
    const s = sizeFleet(v.inputs, sizingTarget);
    const at = estimatePath('fleet', v.inputs);
    return {
      name: v.name,
      note: v.note,
      size: s.recommended ?? s.fastestInBudget,
      meets: s.recommended !== null,
      atScenario: {
        wallSeconds: at.quarter.wallSeconds,
        costUsd: at.quarter.costUsd,
        bottleneck: at.bottleneck,
      },
    };
  });
  const byPath = (k: PathKind) => paths.find((p) => p.path === k) as PathEstimate;
  const trade = {
    selfHostedUsd: byPath('fleet').quarter.costUsd,
    selfHostedWallSeconds: byPath('fleet').quarter.wallSeconds,
    hostedUsd: byPath('hosted-api').quarter.costUsd,
    hostedWallSeconds: byPath('hosted-api').quarter.wallSeconds,
    hostedLlmRequestsPerSecond: i.api.llmRequestsPerSecond,
    hostedEmbedTextsPerSecond: i.api.embedRequestsPerSecond * i.api.embedTextsPerRequest,
    priorRequestsPerSecond: i.prior.llmRequestsPerSecond,
  };
  return {
    scenario,
    paths,
    sweeps,
    gpuSweep,
    goals,
    targets: {
      budgetUsdPerQuarter: targets.budgetUsdPerQuarter ?? null,
      deadlineHours: targets.deadlineHours ?? null,
      meets,
    },
    sizing,
    whatIfs,
    trade,
    inputs: resolved.provenance,
    warnings: resolved.warnings,
  };
}
