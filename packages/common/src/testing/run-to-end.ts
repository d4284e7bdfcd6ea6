/** A command run to its end with its output kept: the tests' CLI runs and the rehearsal's producer commands. */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';

export interface ProcessOutput {
  /** The exit code; a signal shows as 128 + its number, as a shell reports it (137 for SIGKILL). */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunToEndOptions {
  cwd?: string;
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** A command still running after this long is killed (SIGTERM: code 143). */
  timeoutMs?: number;
  /** Aborting stops the command (SIGTERM) and rejects. */
  signal?: AbortSignal;
  /** Sees the child as it starts (the rehearsal tracks it, to stop it when the rehearsal exits). */
  onSpawn?: (child: ChildProcess) => void;
}

export function runToEnd(cmd: string, args: string[], o: RunToEndOptions = {}): Promise<ProcessOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: o.cwd,
      env: o.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: o.timeoutMs,
      signal: o.signal,
    });
    o.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 + constants.signals[signal] : -1), stdout, stderr }),
    );
  });
}
