/** The WorkQueue port and its adapters. */

export * from './polling-consumer.js';
export * from './sqlite-queue.js';
export * from './work-queue.js';
