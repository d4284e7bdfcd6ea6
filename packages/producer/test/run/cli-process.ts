/** The real CLI as a child process in its own process group, with its stderr lines as they come. */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI_BIN, REPO_ROOT } from '@callthemes/common/testing/paths';

export interface RunningCli {
  child: ChildProcess;
  /** stderr lines so far. */
  lines: string[];
  stdout: () => string;
  /** Resolves with the exit code (128 + n for a signal). */
  exit: Promise<number>;
  /** Calls `f` on every stderr line as it arrives. */
  onLine(f: (line: string) => void): void;
  /** SIGKILL to the whole process group (the CLI and any worker processes): a machine lost. */
  killGroup(): void;
}

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

export function startCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CALLTHEMES_FROM_SOURCE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  const listeners: ((line: string) => void)[] = [];
  let buf = '';
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const f of listeners) f(l);
    }
  });
  const exit = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0)));
  });
  return {
    child,
    lines,
    stdout: () => out,
    exit,
    onLine: (f) => listeners.push(f),
    killGroup: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
