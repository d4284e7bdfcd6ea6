/**
 * A run worker: a thread or a child process that builds its stage parts once (source, models) and runs the
 * stage batches the main process sends, one at a time, reporting each finished item. A child process ends
 * at once when the main process goes away (its batch is redone on resume), and treats SIGTERM like the main
 * process's stop: finish the current firm, flush, answer.
 */
import { parentPort } from 'node:worker_threads';
import { openStore } from '@callthemes/common/lake';
import type { RunConfig } from './config.js';
import type { FromWorker, ToWorker } from './protocol.js';
import type { WorkerEnv } from './stage.js';
import { stageByName } from './stages.js';

type Send = (m: FromWorker) => void;

function channel(): { send: Send; onMessage: (f: (m: ToWorker) => void) => void } {
  if (parentPort) {
    const port = parentPort;
    return { send: (m) => port.postMessage(m), onMessage: (f) => port.on('message', f) };
  }
  if (process.send) {
    return {
      send: (m) => {
        if (process.connected) process.send!(m);
      },
      onMessage: (f) => process.on('message', (m) => f(m as ToWorker)),
    };
  }
  throw new Error('run worker started without a parent (neither a worker thread nor a forked process)');
}

const { send, onMessage } = channel();
let env: WorkerEnv | null = null;
const closers: (() => Promise<void>)[] = [];
const built = new Map<string, Promise<unknown>>();
const shared = new Map<string, unknown>();
const usageCounters: (() => Record<string, number>)[] = [];

function usageNow(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of usageCounters) for (const [k, v] of Object.entries(c())) out[k] = (out[k] ?? 0) + v;
  return out;
}
let current: AbortController | null = null;
let stopping = false;
let queue = Promise.resolve();
let closing = false;

function makeEnv(config: RunConfig): WorkerEnv {
  return {
    config,
    store: openStore(config.lake),
    reportUsage: (counter) => {
      usageCounters.push(counter);
    },
    shared: (stage, quarter) => {
      const key = `${stage}/${quarter}`;
      if (!shared.has(key)) throw new Error(`no ${stage} data shared for ${quarter}`);
      return shared.get(key);
    },
    once<T>(key: string, build: () => Promise<T>, close?: (v: T) => Promise<void>): Promise<T> {
      let p = built.get(key) as Promise<T> | undefined;
      if (!p) {
        p = build();
        built.set(key, p);
        if (close) closers.push(async () => close(await p!));
      }
      return p;
    },
  };
}

async function runTask(task: Extract<ToWorker, { type: 'task' }>['task']): Promise<void> {
  if (!env) throw new Error('task before init');
  const stage = stageByName(task.stage);
  current = new AbortController();
  if (stopping) current.abort();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const usage0 = usageNow();
  try {
    const outcome = await stage.runBatch(
      env,
      task,
      (event) => send({ type: 'item', taskId: task.id, event }),
      current.signal,
    );
    const cpu = process.cpuUsage(cpu0);
    const usage1 = usageNow();
    const ledger = Object.fromEntries(Object.entries(usage1).map(([k, v]) => [k, v - (usage0[k] ?? 0)]));
    send({
      type: 'done',
      taskId: task.id,
      outcome,
      usage: {
        wallSeconds: (performance.now() - t0) / 1000,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        ledger,
      },
    });
  } catch (err) {
    send({ type: 'failed', taskId: task.id, message: (err as Error).message, stack: (err as Error).stack });
  } finally {
    current = null;
  }
}

async function close(): Promise<void> {
  closing = true;
  for (const c of closers.reverse()) await c().catch(() => {});
  if (parentPort) parentPort.close();
  else process.disconnect?.();
}

function stop(): void {
  stopping = true;
  current?.abort();
}

onMessage((m) => {
  switch (m.type) {
    case 'init':
      try {
        env = makeEnv(m.config);
        send({ type: 'ready' });
      } catch (err) {
        send({ type: 'fatal', message: (err as Error).message, stack: (err as Error).stack });
      }
      break;
    case 'share':
      shared.set(`${m.stage}/${m.quarter}`, m.data);
      break;
    case 'prepare':
      queue = queue.then(async () => {
        try {
          if (!env) throw new Error('prepare before init');
          await stageByName(m.stage).prepare?.(env);
          send({ type: 'prepared', stage: m.stage });
        } catch (err) {
          send({ type: 'prepared', stage: m.stage, error: (err as Error).message });
        }
      });
      break;
    case 'task':
      // One task at a time, in arrival order.
      queue = queue.then(() => runTask(m.task));
      break;
    case 'stop':
      stop();
      break;
    case 'close':
      queue = queue.then(close);
      break;
  }
});

if (!parentPort) {
  // A child process: the main process is gone (killed) → end now; an unfinished batch is redone on resume.
  process.on('disconnect', () => process.exit(closing ? 0 : 1));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
