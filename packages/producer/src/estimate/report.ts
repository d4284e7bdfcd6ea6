/** The estimate as one object (what `--format json` prints) and the sweeps the table and chart show. */
import type { ResolvedInputs } from './inputs.js';
import {
  type EstimateInputs,
  estimatePath,
  PATHS,
  type PathEstimate,
  type SweepPoint,
  sweep,
} from './model.js';

export const CONCURRENCY_SWEEP = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
export const BATCH_SIZE_SWEEP = [1, 5, 10, 25, 50, 100, 250, 500, 1000];
export const GPU_SWEEP = [1, 2, 4, 8, 16, 32];

export interface EstimateReport {
  scenario: {
    firms: number;
    quarters: number;
    batchSize: number;
    concurrency: number;
    gpus: number;
    gpuInstance: string;
    cpuInstance: string;
    pricing: string;
    llmApi: string;
    embedApi: string;
    priceFile: string;
    pricesAsOf: string;
    fromRun: string | null;
  };
  paths: PathEstimate[];
  sweeps: {
    path: 'vllm' | 'hosted-api';
    concurrency: SweepPoint[];
    batchSize: SweepPoint[];
  }[];
  /** The vLLM path against the number of GPUs serving it. */
  gpuSweep: SweepPoint[];
  targets: {
    budgetUsdPerQuarter: number | null;
    deadlineHours: number | null;
    meets: Record<string, boolean>;
  };
  inputs: ResolvedInputs['provenance'];
  warnings: string[];
}

export function buildReport(
  resolved: ResolvedInputs,
  scenario: EstimateReport['scenario'],
  targets: { budgetUsdPerQuarter?: number; deadlineHours?: number },
): EstimateReport {
  const i: EstimateInputs = resolved.inputs;
  const paths = PATHS.map((p) => estimatePath(p, i));
  // The chosen setting is always one of the points, so the table and the chart show it.
  const withChosen = (values: number[], chosen: number) =>
    [...new Set([...values, chosen])].sort((a, b) => a - b);
  const sweeps = (['vllm', 'hosted-api'] as const).map((path) => ({
    path,
    concurrency: sweep(path, i, 'concurrency', withChosen(CONCURRENCY_SWEEP, i.plan.concurrency)),
    batchSize: sweep(path, i, 'batchSize', withChosen(BATCH_SIZE_SWEEP, i.plan.batchSize)),
  }));
  const gpuSweep = sweep('vllm', i, 'gpus', withChosen(GPU_SWEEP, i.gpu.gpus));
  const meets: Record<string, boolean> = {};
  for (const p of paths) {
    meets[p.path] =
      (targets.budgetUsdPerQuarter === undefined || p.quarter.costUsd <= targets.budgetUsdPerQuarter) &&
      (targets.deadlineHours === undefined || p.total.wallSeconds <= targets.deadlineHours * 3600);
  }
  return {
    scenario,
    paths,
    sweeps,
    gpuSweep,
    targets: {
      budgetUsdPerQuarter: targets.budgetUsdPerQuarter ?? null,
      deadlineHours: targets.deadlineHours ?? null,
      meets,
    },
    inputs: resolved.provenance,
    warnings: resolved.warnings,
  };
}
