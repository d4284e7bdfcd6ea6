/** Runs the real CLI (TypeScript sources through tsx) as a child process. */
import { type ProcessOutput, runToEnd } from '../../src/testing/run-to-end.js';
import { CLI_BIN, EXAMPLES_ECTSUM, REPO_ROOT } from './paths.js';

export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = REPO_ROOT,
  /** A command still running after this long is killed (SIGTERM: code 143), failing the test that waits on it. */
  timeoutMs?: number,
): Promise<ProcessOutput> {
  return runNode([CLI_BIN, ...args], { env: { CALLTHEMES_FROM_SOURCE: '1', ...env }, cwd, timeoutMs });
}

/** Runs `node <args>` as a child process (this process's environment plus `env`) and collects its output. */
export function runNode(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessOutput> {
  return runToEnd(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    timeoutMs: options.timeoutMs,
  });
}

/**
 * `<command> --source ectsum --input <input> --quarters <quarters> --lake <lake>` and any further flags: how the
 * CLI tests start `ingest` and `run` on the shipped sample (or on another ECTSum-shaped folder).
 */
export function ectsumArgs(
  command: string,
  quarters: string,
  lake: string,
  more: string[] = [],
  input = EXAMPLES_ECTSUM,
): string[] {
  return [command, '--source', 'ectsum', '--input', input, '--quarters', quarters, '--lake', lake, ...more];
}
