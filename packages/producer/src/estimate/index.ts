/** Wall time and dollars per quarter on the three deployment paths, from sourced prices and measured runs. */
export * from './chart.js';
export * from './from-run.js';
export * from './ingest-metrics.js';
export * from './inputs.js';
export * from './measured-inputs.js';
export * from './model.js';
export * from './prices.js';
export * from './prior-calibration.js';
export * from './report.js';
export * from './sizing.js';
export * from './table.js';
export * from './what-if.js';
