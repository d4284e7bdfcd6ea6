/** The WorkQueue port and its adapters. */
export * from './work-queue.js';
