/** Moved to `@callthemes/common/testing` (src/testing/free-port.ts); kept for the tests' imports. */
export * from '../../src/testing/free-port.js';
