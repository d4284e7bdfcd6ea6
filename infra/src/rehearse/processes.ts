/**
 * The rehearsal's child processes: each worker task an artifact process (as ECS starts a task), whose JSON event
 * lines are handed to listeners; the producer CLI as the operator runs it. Every process started is tracked and
 * stopped by `stopAll` (SIGTERM, then SIGKILL after a grace period), and on this process's exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { artifactProcess, type WorkerArtifact } from './artifact.js';

export type WorkerEvent = Record<string, unknown> & { event: string };

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export class WorkerTask {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private stderrTail = '';
  killed = false;

  constructor(
    readonly name: string,
    artifact: WorkerArtifact,
    env: Record<string, string>,
    command: string[],
    onEvent: (task: WorkerTask, e: WorkerEvent) => void,
  ) {
    const p = artifactProcess(artifact, env, command);
    this.child = spawn(p.cmd, p.args, { ...p.options, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    this.exited = new Promise((r) =>
      this.child.once('exit', (code) => {
        live.delete(this.child);
        r(code);
      }),
    );
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        onEvent(this, JSON.parse(line) as WorkerEvent);
      } catch {
        // not an event line
      }
    });
    this.child.stderr!.on('data', (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString()).slice(-3000);
    });
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** As a spot reclaim or a crash: SIGKILL, no chance to release or delete. */
  kill(): void {
    this.killed = true;
    this.child.kill('SIGKILL');
  }

  async stop(graceMs = 20_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command to its end (the producer CLI), output kept; `signal` stops it (SIGTERM) and rejects. */
export function runCommand(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  signal?: AbortSignal,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], signal });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      live.delete(child);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}
