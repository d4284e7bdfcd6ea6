/** The local run: the plan enqueued on the local backend, worker processes, progress, summary and run metrics. */
export { type LocalRunOptions, type LocalRunOutcome, runLocalPlan } from './local-run.js';
export { LocalWorkers, type LocalWorkersOptions, type WorkerKind } from './local-workers.js';
export { percentile, type StageQuarter } from './metrics.js';
export { BarProgress, LineProgress, type Progress, progressFor, stageLine } from './progress.js';
export { metricsFromRecords, type RecordsMetricsInput, stageQuartersOf } from './records-metrics.js';
export {
  ledgerSchema,
  type RunMetrics,
  runMetricsSchema,
  stageMetricsSchema,
  stageQuarterSchema,
} from './run-metrics.js';
export { removeDeadScratch } from './scratch.js';
export { FIRM_VIEW, type ItemEvent, type StageView, THEMES_VIEW } from './stage-view.js';
export { summaryTable } from './summary.js';
