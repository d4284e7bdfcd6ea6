/** The fleet's flow without a coordinator: backends, plans, quarter enqueue, the guarded handoffs, metrics lines. */

export * from './accept-message.js';
export * from './crash-points.js';
export * from './enqueue-quarter.js';
export * from './metrics-log.js';
export * from './open-fleet.js';
export * from './plan-settings.js';
export * from './quarter-flags.js';
export * from './run-records.js';
export * from './worker-main.js';
export * from './worker-runtime.js';
