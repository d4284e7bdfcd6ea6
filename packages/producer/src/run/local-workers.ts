/**
 * The local run's worker processes: K firm workers and one theme worker, each a separate process (a kill -9 takes
 * one and not the others), restarted when one dies as an ECS service replaces a lost task. Their stdout event
 * lines (../../common fleet/metrics-log) feed the progress display; SIGTERM stops them cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type FleetEvent, parseEventLine } from '@callthemes/common/fleet';

export type WorkerKind = 'firm-worker' | 'theme-worker';

/** The package folder of a worker, found through its entry so the path holds from sources and from dist. */
function workerBin(kind: WorkerKind): string {
  const entry = fileURLToPath(import.meta.resolve(`@callthemes/${kind}`));
  return join(dirname(dirname(entry)), 'bin', `${kind}.js`);
}

/** True when this process runs from TypeScript sources: its workers must too (never a stale dist). */
const fromSource = import.meta.url.endsWith('.ts');

export interface LocalWorkersOptions {
  concurrency: number;
  /** Extra environment of every worker (lake, services, cache folder). */
  env: NodeJS.ProcessEnv;
  onEvent(e: FleetEvent, worker: string): void;
  onLine(line: string, worker: string): void;
  /** Most restarts of dead workers before the run gives up (default 3 per worker). */
  maxRestarts?: number;
}

interface Slot {
  kind: WorkerKind;
  index: number;
  proc: ChildProcess | null;
  exited: Promise<void>;
}

export class LocalWorkers {
  private readonly slots: Slot[] = [];
  private stopping = false;
  private restarts = 0;
  /** Set when workers keep dying: the run stops with this reason. */
  failure: string | null = null;
  readonly startedAt = performance.now();
  /** Seconds until every worker reported it started (models loaded). */
  readySeconds: number | null = null;
  private ready = new Set<string>();

  constructor(private readonly o: LocalWorkersOptions) {}

  start(): void {
    for (let i = 0; i < this.o.concurrency; i++) this.spawn({ kind: 'firm-worker', index: i });
    this.spawn({ kind: 'theme-worker', index: 0 });
  }

  private spawn(at: { kind: WorkerKind; index: number }, existing?: Slot): void {
    const name = `${at.kind}#${at.index + 1}`;
    const proc = spawn(process.execPath, [workerBin(at.kind)], {
      env: {
        ...process.env,
        ...this.o.env,
        CALLTHEMES_FLEET_SIZE: String(this.o.concurrency),
        ...(fromSource ? { CALLTHEMES_FROM_SOURCE: '1' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const slot: Slot = existing ?? { ...at, proc: null, exited: Promise.resolve() };
    slot.proc = proc;
    if (!existing) this.slots.push(slot);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const e = parseEventLine(line);
      if (!e) return this.o.onLine(line, name);
      if (e.event === 'ready') {
        this.ready.add(name);
        if (this.ready.size >= this.slots.length && this.readySeconds === null)
          this.readySeconds = (performance.now() - this.startedAt) / 1000;
      }
      this.o.onEvent(e, name);
    });
    createInterface({ input: proc.stderr! }).on('line', (line) => this.o.onLine(line, name));
    slot.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        if (!this.stopping && (code !== 0 || signal)) {
          const why = signal ? `signal ${signal}` : `code ${code}`;
          if (this.restarts >= (this.o.maxRestarts ?? 3 * (this.o.concurrency + 1))) {
            this.failure = `${name} exited with ${why}; workers died ${this.restarts} times, giving up`;
          } else {
            this.restarts++;
            this.o.onLine(`${name} (pid ${proc.pid}) exited with ${why}; starting another`, name);
            this.spawn(at, slot);
          }
        }
        resolve();
      });
    });
  }

  /** SIGTERM to every worker; resolves when all have exited (a worker releases its partition first). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of this.slots) if (s.proc && s.proc.exitCode === null) s.proc.kill('SIGTERM');
    // A restart may have replaced a slot's process while we waited: wait until every slot's current one is gone.
    for (;;) {
      const live = this.slots.filter((s) => s.proc && s.proc.exitCode === null && s.proc.signalCode === null);
      if (live.length === 0) break;
      await Promise.all(live.map((s) => s.exited));
    }
  }
}
