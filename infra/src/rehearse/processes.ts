/**
 * The rehearsal's child processes: each worker task an artifact process (as ECS starts a task), whose JSON event
 * lines are handed to listeners; the producer CLI as the operator runs it. Every process started is tracked and
 * stopped by `stopAll` (SIGTERM, then SIGKILL after a grace period), and on this process's exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type ProcessOutput, runToEnd } from '@callthemes/common/testing';
import { artifactProcess, type WorkerArtifact } from './artifact.js';

export type WorkerEvent = Record<string, unknown> & { event: string };

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
/** Kept in `live` until it exits. */
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

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
    track(this.child);
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
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

/** A command to its end (the producer CLI), output kept; `signal` stops it (SIGTERM) and rejects. */
export function runCommand(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  signal?: AbortSignal,
): Promise<ProcessOutput> {
  return runToEnd(cmd, args, { cwd, env, signal, onSpawn: track });
}
