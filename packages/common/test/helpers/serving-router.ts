/** Moved to `@callthemes/common/testing` (src/testing/serving-router.ts); kept for the tests' imports. */
export * from '../../src/testing/serving-router.js';
