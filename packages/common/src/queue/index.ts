/** The WorkQueue port and its adapters. */
export * from './polling-consumer.js';
export * from './sqlite-queue.js';
export * from './sqs-create-queue.js';
export * from './sqs-queue.js';
export * from './sqs-redrive.js';
export * from './work-queue.js';
