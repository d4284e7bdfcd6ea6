/** Paths to shared test data; tests that need it skip with a clear message when it is absent. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
/** The `callthemes` CLI's bin (producer); tests run it from the sources (CALLTHEMES_FROM_SOURCE). */
export const CLI_BIN = join(REPO_ROOT, 'packages', 'producer', 'bin', 'callthemes.js');
export const SHARED_DATA = resolve(REPO_ROOT, '..', 'shared', 'data');
export const ECTSUM_DIR = join(SHARED_DATA, 'ectsum-sentences');
export const MOTLEY_DIR = join(SHARED_DATA, 'motley-fool-json');
export const EXAMPLES_ECTSUM = join(REPO_ROOT, 'examples', 'ectsum');

/**
 * vitest's `{ skip: true }` when `why` is given, else `{}`; the reason is printed, so a skipped test says why
 * (vitest's skip option takes no message).
 */
export function skipIf(why: string | undefined | false): { skip?: boolean } {
  if (!why) return {};
  process.stderr.write(`skipped: ${why}\n`);
  return { skip: true };
}

/** Skips when the shared data folder is missing. */
export function needsSharedData(): { skip?: boolean } {
  return skipIf(
    !(existsSync(MOTLEY_DIR) && existsSync(ECTSUM_DIR)) &&
      `shared data not found at ${SHARED_DATA} (tests on real transcripts skipped)`,
  );
}

export function tempDir(prefix = 'callthemes-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs `body` in a fresh temporary folder and removes the folder after, whatever `body` does. */
export async function inTempDir<T>(body: (path: string) => Promise<T>, prefix?: string): Promise<T> {
  const dir = tempDir(prefix);
  try {
    return await body(dir.path);
  } finally {
    dir.cleanup();
  }
}
