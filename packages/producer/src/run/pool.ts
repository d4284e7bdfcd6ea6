/**
 * A fixed pool of run workers, worker threads or child processes (same protocol, ./protocol.ts), each running
 * one stage batch at a time. Tasks queue in order; a worker that dies mid-batch fails that batch and is
 * replaced; `stop()` asks busy workers to finish their current firm and answer, and fails the queued tasks.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunConfig, WorkerKind } from './config.js';
import type { FromWorker, TaskUsage, ToWorker } from './protocol.js';
import type { BatchOutcome, ItemEvent, StageTask } from './stage.js';

export interface TaskResult {
  outcome: BatchOutcome;
  usage: TaskUsage;
}

/** A queued task that never started because the pool was stopped. */
export class PoolStoppedError extends Error {}

interface Endpoint {
  send(m: ToWorker): void;
  onMessage(f: (m: FromWorker) => void): void;
  onExit(f: (code: number | null) => void): void;
  kill(): void;
}

/** Workers replaced after dying, over the pool's life, before it gives up. */
const MAX_REPLACEMENTS = 8;

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(`./worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);
/** tsx plus the workspace's source condition, for workers of a run started from the TypeScript sources. */
const SOURCE_HOOKS = FROM_SOURCE ? import.meta.resolve('@callthemes/common/register-source') : '';

function threadEndpoint(): Endpoint {
  // Run from TypeScript sources, a thread registers the source hooks itself before importing the worker module.
  const url = FROM_SOURCE
    ? new URL(
        `data:text/javascript,${encodeURIComponent(
          `await import(${JSON.stringify(SOURCE_HOOKS)}); await import(${JSON.stringify(ENTRY.href)});`,
        )}`,
      )
    : ENTRY;
  const w = new Worker(url, { execArgv: [] });
  return {
    send: (m) => w.postMessage(m),
    onMessage: (f) => w.on('message', f),
    onExit: (f) => {
      w.on('exit', f);
      w.on('error', (err) => process.stderr.write(`run worker thread error: ${err.message}\n`));
    },
    kill: () => void w.terminate(),
  };
}

function processEndpoint(): Endpoint {
  const execArgv = FROM_SOURCE ? ['--import', SOURCE_HOOKS] : [];
  const child: ChildProcess = fork(fileURLToPath(ENTRY), [], {
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (f) => child.on('message', (m) => f(m as FromWorker)),
    onExit: (f) => child.on('exit', (code, signal) => f(code ?? (signal ? 128 : null))),
    kill: () => void child.kill('SIGKILL'),
  };
}

interface Running {
  task: StageTask;
  onItem: (e: ItemEvent) => void;
  resolve: (r: TaskResult) => void;
  reject: (e: Error) => void;
}

class PoolWorker {
  running: Running | null = null;
  exited = false;
  readonly ready: Promise<void>;
  /** Stages this worker has prepared (or is preparing). */
  readonly prepared = new Map<string, Promise<void>>();
  readonly preparing = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(
    readonly endpoint: Endpoint,
    onIdle: (w: PoolWorker) => void,
    onExit: (w: PoolWorker, code: number | null) => void,
  ) {
    this.ready = new Promise((resolve, reject) => {
      endpoint.onMessage((m) => {
        switch (m.type) {
          case 'ready':
            resolve();
            break;
          case 'fatal':
            reject(new Error(`run worker failed to start: ${m.message}`));
            break;
          case 'item':
            this.running?.onItem(m.event);
            break;
          case 'prepared': {
            const p = this.preparing.get(m.stage);
            this.preparing.delete(m.stage);
            if (m.error) p?.reject(new Error(`preparing ${m.stage} failed: ${m.error}`));
            else p?.resolve();
            break;
          }
          case 'done':
          case 'failed': {
            const r = this.running;
            this.running = null;
            if (!r) break;
            if (m.type === 'done') r.resolve({ outcome: m.outcome, usage: m.usage });
            else r.reject(new Error(m.message));
            onIdle(this);
            break;
          }
        }
      });
      endpoint.onExit((code) => {
        this.exited = true;
        for (const p of this.preparing.values()) p.reject(new Error(`run worker exited (code ${code})`));
        this.preparing.clear();
        reject(new Error(`run worker exited (code ${code}) before it was ready`));
        const r = this.running;
        this.running = null;
        r?.reject(
          new Error(
            `worker exited (code ${code}) while running ${r.task.stage} ${r.task.quarter} batch ${r.task.batch}`,
          ),
        );
        onExit(this, code);
      });
    });
  }
}

/** Asks the worker to prepare a stage once; later calls return the same promise. */
function prepareOn(w: PoolWorker, stage: string): Promise<void> {
  let p = w.prepared.get(stage);
  if (!p) {
    p = new Promise<void>((resolve, reject) => {
      w.preparing.set(stage, { resolve, reject });
      w.endpoint.send({ type: 'prepare', stage });
    });
    w.prepared.set(stage, p);
  }
  return p;
}

export interface PoolOptions {
  kind: WorkerKind;
  size: number;
  config: RunConfig;
}

export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private readonly queue: Running[] = [];
  private readonly sharedData: ToWorker[] = [];
  private readonly preparedStages = new Set<string>();
  private stopped = false;
  private closing = false;
  /** Workers started over the pool's life (more than `size` when some died). */
  started = 0;

  private constructor(private readonly opts: PoolOptions) {}

  static async start(opts: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    const ws = Array.from({ length: opts.size }, () => pool.spawn());
    try {
      await Promise.all(ws.map((w) => w.ready));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get kind(): WorkerKind {
    return this.opts.kind;
  }

  get size(): number {
    return this.opts.size;
  }

  private spawn(): PoolWorker {
    const endpoint = this.opts.kind === 'thread' ? threadEndpoint() : processEndpoint();
    const w = new PoolWorker(
      endpoint,
      () => this.dispatch(),
      (worker) => this.onWorkerExit(worker),
    );
    this.workers.push(w);
    this.started++;
    endpoint.send({ type: 'init', config: this.opts.config });
    for (const m of this.sharedData) endpoint.send(m);
    // A replacement worker prepares what the others have, before any task (messages are handled in order).
    for (const stage of this.preparedStages) prepareOn(w, stage).catch(() => {});
    w.ready.catch(() => {});
    return w;
  }

  private onWorkerExit(w: PoolWorker): void {
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    if (this.closing || this.stopped) return;
    if (this.started - this.opts.size >= MAX_REPLACEMENTS) {
      // Workers keep dying (a broken install, memory): fail what is left rather than loop.
      if (this.workers.length === 0)
        for (const r of this.queue.splice(0)) r.reject(new Error('every run worker died; giving up'));
    } else this.spawn();
    this.dispatch();
  }

  /** Sends data every worker needs for a stage's quarter (kept, and sent again to replacement workers). */
  share(stage: string, quarter: string, data: unknown): void {
    const m: ToWorker = { type: 'share', stage, quarter, data };
    const i = this.sharedData.findIndex(
      (x) => x.type === 'share' && x.stage === stage && x.quarter === quarter,
    );
    if (i >= 0) this.sharedData.splice(i, 1);
    this.sharedData.push(m);
    for (const w of this.workers) w.endpoint.send(m);
  }

  /**
   * Prepares a stage on every worker: one first (a cache built on first use is built by it alone), then the
   * others at once. Workers started later prepare before their first task of the stage (in order, see worker).
   */
  async prepare(stage: string): Promise<void> {
    const live = this.workers.filter((w) => !w.exited);
    if (live.length === 0) return;
    await prepareOn(live[0], stage);
    await Promise.all(live.slice(1).map((w) => prepareOn(w, stage)));
    this.preparedStages.add(stage);
  }

  /** Runs one batch on the next free worker. */
  run(task: StageTask, onItem: (e: ItemEvent) => void): Promise<TaskResult> {
    if (this.stopped) return Promise.reject(new PoolStoppedError('the run is stopping'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, onItem, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const w of this.workers) {
      if (this.queue.length === 0 || this.stopped) return;
      if (w.running || w.exited) continue;
      const r = this.queue.shift()!;
      w.running = r;
      w.endpoint.send({ type: 'task', task: r.task });
    }
  }

  /** Busy workers finish their current item and answer; queued tasks fail with PoolStoppedError. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const r of this.queue.splice(0)) r.reject(new PoolStoppedError('the run is stopping'));
    for (const w of this.workers) if (w.running) w.endpoint.send({ type: 'stop' });
  }

  /** Ends every worker (after its current task); kills one that does not end within `graceMs`. */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    const live = this.workers.filter((w) => !w.exited);
    await Promise.all(
      live.map(
        (w) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              w.endpoint.kill();
              resolve();
            }, graceMs);
            w.endpoint.onExit(() => {
              clearTimeout(timer);
              resolve();
            });
            w.endpoint.send({ type: 'close' });
          }),
      ),
    );
  }
}
