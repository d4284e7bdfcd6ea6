/** Moved to `@callthemes/common/testing` (src/testing/sagemaker-async-standin.ts); kept for the tests' imports. */
export * from '../../src/testing/sagemaker-async-standin.js';
