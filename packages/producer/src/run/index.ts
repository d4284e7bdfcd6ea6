/** The local run: the plan enqueued on the local backend, worker processes, progress, summary and run metrics. */
export * from './local-run.js';
export * from './local-workers.js';
export * from './metrics.js';
export * from './progress.js';
export * from './records-metrics.js';
export * from './run-metrics.js';
export * from './scratch.js';
export * from './stage-view.js';
export * from './summary.js';
