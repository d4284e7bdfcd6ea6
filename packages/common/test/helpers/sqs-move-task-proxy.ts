/** Moved to `@callthemes/common/testing` (src/testing/sqs-move-task-proxy.ts); kept for the tests' imports. */
export * from '../../src/testing/sqs-move-task-proxy.js';
