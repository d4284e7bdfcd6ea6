/** The local run: a pool of worker threads or processes over the quarters' batches, resumable, with progress and metrics. */
export * from './config.js';
export * from './embedders.js';
export * from './firm-analyzer.js';
export * from './metrics.js';
export * from './orchestrator.js';
export * from './pool.js';
export * from './progress.js';
export * from './protocol.js';
export * from './resume.js';
export * from './run-metrics.js';
export * from './scratch.js';
export * from './sentiment-stage-def.js';
export * from './services.js';
export * from './stage.js';
export * from './stages.js';
export * from './summary.js';
export * from './themes-stage-def.js';
