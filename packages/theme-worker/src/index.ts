/** The theme worker: the quarter handler (createWorker), the theme stage and the score tables it writes. */
export * from './quarter-worker.js';
export * from './score-tables.js';
export * from './theme-io.js';
export * from './theme-stage.js';
