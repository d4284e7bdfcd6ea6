/**
 * The vitest settings every package uses (its vitest.config.ts re-exports them): tests run from the TypeScript
 * sources of every workspace package (the `@callthemes/source` condition), one file per forked process as
 * node:test did, and without vitest's 5 s default limit (the end-to-end tests run real servers and models).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The word-vector cache is shared by every package's tests (it takes ~10 s to build once), at the repo root.
const cacheDir = process.env.CALLTHEMES_CACHE_DIR ?? fileURLToPath(new URL('../../.cache', import.meta.url));

// No 'module': packages such as the AWS SDK point it at builds that Node itself cannot load.
const conditions = ['@callthemes/source', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    env: { CALLTHEMES_CACHE_DIR: cacheDir },
    pool: 'forks',
    // Two files at a time per package on this 2-core machine (TEST_CONCURRENCY overrides), as node:test ran.
    maxWorkers: Number(process.env.TEST_CONCURRENCY ?? 2),
    testTimeout: 600_000,
    hookTimeout: 600_000,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
