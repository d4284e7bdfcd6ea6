/** The WorkQueue port and its adapters. */

export * from './sqs-create-queue.js';
export * from './sqs-queue.js';
export * from './sqs-redrive.js';
export * from './work-queue.js';
