/**
 * A worker process's life (firm or theme worker alike): settings from the environment (DESIGN's names), the
 * fleet's queues and counters, one consume loop, and a clean stop. SIGTERM (spot's two-minute notice) stops
 * receiving, lets the message in hand finish its current firm, flush and release (or finish), closes, exits 0.
 * On ECS the task is protected from scale-in while it holds a message and released when a receive finds the
 * queue empty. `--until-idle` exits once a receive has found the queue empty for `CALLTHEMES_IDLE_SECONDS` (default 5).
 */
import { hostname } from 'node:os';
import { cacheDirFrom } from '../embed/index.js';
import { eventLine, workerLog } from '../fleet/metrics-log.js';
import { consumeTiming, type Fleet, fleetSettingsFrom, openFleet } from '../fleet/open-fleet.js';
import { type WorkerRuntime, workerRuntime } from '../fleet/worker-runtime.js';
import { type LakeStore, openStore } from '../lake/index.js';
import type { HandleResult, QueueMessage, WorkQueue } from '../queue/index.js';

export interface WorkerContext {
  fleet: Fleet;
  store: LakeStore;
  runtime: WorkerRuntime;
  workerId: string;
  emit: (line: string) => void;
}

export interface WorkerProgram {
  name: string;
  /** What the worker does with a message, for its --help (a few lines). */
  does: string;
  queue(fleet: Fleet): WorkQueue;
  createHandler(ctx: WorkerContext): {
    handle(message: QueueMessage, signal: AbortSignal): Promise<HandleResult>;
  };
  /** Loads what the first message would otherwise wait for (word vectors). */
  warmUp?(ctx: WorkerContext): Promise<void>;
}

/** A worker's --help: what it does, then the settings and the flag both workers share. */
export function workerUsage(program: Pick<WorkerProgram, 'name' | 'does'>): string {
  return `Usage: ${program.name} [--until-idle]

${program.does.trim()}
Settings from the environment: CALLTHEMES_LAKE, CALLTHEMES_PARTITIONS_QUEUE_URL, CALLTHEMES_THEMES_QUEUE_URL,
CALLTHEMES_COUNTERS_TABLE (unset: the local backend beside the lake), CALLTHEMES_INFERENCE, CALLTHEMES_LLM_URL, ...

  --until-idle   exit once the queue has been empty for CALLTHEMES_IDLE_SECONDS (default 5)

Example: CALLTHEMES_LAKE=./lake pnpm ${program.name} --until-idle
`;
}

export async function runWorkerMain(program: WorkerProgram, argv: string[]): Promise<number> {
  const usage = workerUsage(program);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--until-idle');
  if (unknown.length > 0) {
    process.stderr.write(`${program.name}: unknown argument ${unknown[0]}\n${usage}`);
    return 2;
  }
  const untilIdle = argv.includes('--until-idle');
  const idleSeconds = Number(process.env.CALLTHEMES_IDLE_SECONDS || 5);
  const settings = fleetSettingsFrom();
  const fleet = await openFleet(settings);
  const store = openStore(settings.lake);
  const workerId = `${hostname()}/${process.pid}`;
  const emit = (line: string) => process.stdout.write(`${line}\n`);
  const runtime = workerRuntime({
    store,
    cacheDir: cacheDirFrom(),
    fleetSize: Number(process.env.CALLTHEMES_FLEET_SIZE || 1),
  });
  const ctx: WorkerContext = { fleet, store, runtime, workerId, emit };
  const log = workerLog(emit, workerId);

  // On ECS: protected from scale-in while holding a message (loaded only there).
  const protection = process.env.ECS_AGENT_URI
    ? (await import('../scaling/task-protection.js')).taskProtectionFrom(process.env, { log })
    : null;
  await program.warmUp?.(ctx);
  const handler = program.createHandler(ctx);
  let idleSince: number | null = null;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const queue = program.queue(fleet);
  const timing = await consumeTiming(queue, settings);
  const consumer = queue.consumer({
    ...timing,
    waitSeconds: settings.waitSeconds,
    async handle(message, signal) {
      idleSince = null;
      await protection?.busy();
      return handler.handle(message, signal);
    },
    onEmpty() {
      void protection?.idle();
      idleSince ??= performance.now();
      if (untilIdle && performance.now() - idleSince >= idleSeconds * 1000) resolveDone();
    },
    onError(err, message) {
      log(`${message ? `message ${message.id}: ` : ''}${err.message}`, { level: 'error' });
    },
  });
  let stopping = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) process.exit(sig === 'SIGINT' ? 130 : 143);
    stopping = true;
    log(`${sig}: stopping (the message in hand finishes its firm, flushes and is released)`);
    resolveDone();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  consumer.start();
  // Models loaded, consuming: the local run counts its workers' start-up up to this line.
  emit(
    eventLine({
      event: 'ready',
      worker: workerId,
      backend: settings.backend,
      lake: settings.lake,
      visibilitySeconds: timing.visibilitySeconds,
      heartbeatSeconds: timing.heartbeatSeconds,
    }),
  );
  await done;
  await consumer.stop();
  await protection?.close();
  await runtime.close().catch(() => {});
  await fleet.close();
  log(`${program.name} stopped`);
  return 0;
}
