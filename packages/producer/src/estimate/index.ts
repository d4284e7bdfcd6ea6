/** Wall time and dollars per quarter on the three deployment paths, from sourced prices and measured runs. */
export { type Axis, decadeAxis, durationAxis, escapeXml, logTicks, renderChart } from './chart.js';
export { RUNS_PREFIX, readRunMetrics, runMetricsKey } from './from-run.js';
export { ingestRunMetrics, runIdTime } from './ingest-metrics.js';
export {
  type EstimateOptions,
  gpuInstances,
  InputError,
  OVERRIDABLE,
  type OverridableInput,
  type Provenance,
  type ResolvedInputs,
  resolveInputs,
} from './inputs.js';
export {
  CHARS_PER_TOKEN,
  COMPLETION_TOKENS_PER_TOPIC,
  measuredWorkload,
  PROMPT_TOKENS_PER_REQUEST,
  type RunShape,
  runShape,
} from './measured-inputs.js';
export {
  type ApiService,
  amdahlSpeedup,
  busyInstances,
  type CostItem,
  type EstimateInputs,
  estimatePath,
  type FanOut,
  type FleetPlan,
  fleetPath,
  type GpuService,
  gpuServingSeconds,
  hostedApiPath,
  inferenceRequests,
  PATHS,
  type PathEstimate,
  type PathKind,
  type PriorSystem,
  partitionFanOut,
  quarterVolume,
  type Requests,
  requestsCost,
  type SweepPoint,
  sequentialApiPath,
  sweep,
  type Term,
  type Workload,
} from './model.js';
export {
  DEFAULT_PRICE_FILE,
  type EmbeddingApiPrice,
  type GpuServing,
  type InstancePrice,
  type LlmApiPrice,
  loadPriceFile,
  type PriceFile,
  priceFileSchema,
  type Sourced,
  sourcedEntries,
  sourcedSchema,
} from './prices.js';
export { calibratePrior, type PriorCalibration, type PriorTotals } from './prior-calibration.js';
export {
  BATCH_SIZE_SWEEP,
  buildReport,
  CONCURRENCY_SWEEP,
  DEFAULT_SIZING_TARGET,
  type EstimateReport,
  GOAL_QUARTERS,
  GPU_SWEEP,
} from './report.js';
export {
  SIZING_INSTANCES,
  type SizePoint,
  type Sizing,
  type SizingTarget,
  sizeFleet,
  tasksFor,
} from './sizing.js';
export { duration, formatTable, tradeLines, usd } from './table.js';
export { MATRYOSHKA_DIMENSIONS, SERVED_DIMENSIONS, servingOn, type WhatIf, whatIfs } from './what-if.js';
