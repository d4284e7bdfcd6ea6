/** The firm worker: the partition handler (createWorker) and the firm and sentence-sentiment stages it runs. */
export * from './firm-stage.js';
export * from './partition-worker.js';
export * from './sentiment-stage.js';
