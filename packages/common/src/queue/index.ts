/** The WorkQueue port and its adapters. */
export { pollingConsumer } from './polling-consumer.js';
export { type SqliteQueueOptions, SqliteWorkQueue } from './sqlite-queue.js';
export { type CreatedQueue, createQueueWithDeadLetter, queueArn } from './sqs-create-queue.js';
export { SqsWorkQueue, type SqsWorkQueueOptions } from './sqs-queue.js';
export { type RedriveTarget, redriveDeadLetters } from './sqs-redrive.js';
export type {
  ConsumeOptions,
  Consumer,
  HandleResult,
  QueueDepth,
  QueueMessage,
  ReceiveOptions,
  RedriveResult,
  WorkQueue,
} from './work-queue.js';
