/** Runs the real CLI (TypeScript sources through tsx) as a child process. */
import { spawn } from 'node:child_process';
import { CLI_BIN, EXAMPLES_ECTSUM, REPO_ROOT } from './paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = REPO_ROOT,
  /** A command still running after this long is killed (SIGTERM: code 143), failing the test that waits on it. */
  timeoutMs?: number,
): Promise<CliResult> {
  return runNode([CLI_BIN, ...args], { env: { CALLTHEMES_FROM_SOURCE: '1', ...env }, cwd, timeoutMs });
}

/** Runs `node <args>` as a child process (this process's environment plus `env`) and collects its output. */
export function runNode(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    // A signal shows as 128 + its number, as a shell reports it (137 for SIGKILL).
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 2) : -1),
        stdout,
        stderr,
      }),
    );
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
