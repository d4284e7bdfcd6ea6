/** Moved to `@callthemes/common/testing` (src/testing/moto-server.ts); kept for the tests' imports. */
export * from '../../src/testing/moto-server.js';
