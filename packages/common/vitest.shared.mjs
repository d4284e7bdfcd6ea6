/**
 * The vitest settings every package uses (its vitest.config.ts re-exports them): tests run from the TypeScript
 * sources of every workspace package (the `@callthemes/source` condition), one file per forked process as
 * node:test did, and without vitest's 5 s default limit (the end-to-end tests run real servers and models).
 */
import { defineConfig } from 'vitest/config';

const conditions = ['@callthemes/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
