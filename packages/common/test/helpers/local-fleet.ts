/**
 * A fleet in this process for the handler tests: the SQLite queues and counters beside a folder lake (the
 * embedded local adapters, nothing faked), a run's plan over the shipped ECTSum sample recorded as the producer
 * records it, its first quarter enqueued, and the messages a queue holds received for a handler.
 */

import { afterAll, beforeAll } from 'vitest';
import type { RunPlan } from '../../src/counters/index.js';
import { SIF_MODEL_ID } from '../../src/embed/index.js';
import {
  enqueueQuarter,
  type Fleet,
  fleetSettingsFrom,
  openFleet,
  type PlanSettings,
  settingsHash,
  type WorkerRuntime,
  workerRuntime,
} from '../../src/fleet/index.js';
import { LocalLakeStore } from '../../src/lake/index.js';
import type { QueueMessage, WorkQueue } from '../../src/queue/index.js';
import { LEXICON_MODEL } from '../../src/sentiment/index.js';
import { createSource } from '../../src/sources/index.js';
import { EXAMPLES_ECTSUM, tempDir } from './paths.js';

export interface LocalFleet {
  fleet: Fleet;
  store: LocalLakeStore;
  runtime: WorkerRuntime;
  /** Every event line a handler emitted, parsed. */
  events: Record<string, unknown>[];
  emit(line: string): void;
  close(): Promise<void>;
}

export async function openLocalFleet(lake: string): Promise<LocalFleet> {
  const fleet = await openFleet(fleetSettingsFrom({ backend: 'local', lake }, {}));
  const store = new LocalLakeStore(lake);
  const runtime = workerRuntime({ store, cacheDir: process.env.CALLTHEMES_CACHE_DIR ?? '.cache' });
  const events: Record<string, unknown>[] = [];
  return {
    fleet,
    store,
    runtime,
    events,
    emit: (line) => events.push(JSON.parse(line)),
    async close() {
      await runtime.close();
      await fleet.close();
    },
  };
}

/** A fleet in a temporary lake for the test file: opened before its tests, closed and removed after them. */
export function useLocalFleet(prefix: string): () => LocalFleet {
  const dir = tempDir(prefix);
  let fleet: LocalFleet | null = null;
  beforeAll(async () => {
    fleet = await openLocalFleet(dir.path);
  });
  afterAll(async () => {
    await fleet?.close();
    dir.cleanup();
  });
  return () => {
    if (!fleet) throw new Error('the local fleet opens in beforeAll');
    return fleet;
  };
}

/** The plan of `--source ectsum --input examples/ectsum --firms N --partition-size P` with the defaults. */
export function sampleSettings(o: {
  firms: number;
  partitionSize: number;
  seed?: number;
  flushEvery?: number;
  /** An ECTSum-shaped folder instead of the shipped sample. */
  input?: string;
}): PlanSettings {
  return {
    source: { kind: 'ectsum', input: o.input ?? EXAMPLES_ECTSUM },
    firms: { limit: o.firms },
    partitionSize: o.partitionSize,
    flushEvery: o.flushEvery ?? 50,
    minTokens: 5,
    seed: o.seed ?? 42,
    topics: { minTopicSize: 'auto', outlierThreshold: null },
    models: { embedder: SIF_MODEL_ID, namer: 'keywords', classifier: LEXICON_MODEL },
  };
}

/** Records the plan and enqueues its first quarter, as `producer enqueue` does. */
export async function startPlan(
  f: LocalFleet,
  runId: string,
  quarters: string[],
  settings: PlanSettings,
): Promise<RunPlan> {
  const plan = await f.fleet.counters.putPlan({
    runId,
    quarters,
    settingsHash: settingsHash(quarters, settings),
    settings: settings as unknown as Record<string, unknown>,
    createdAt: new Date().toISOString(),
  });
  const source = await createSource({ ...settings.source });
  try {
    await enqueueQuarter({ fleet: f.fleet, store: f.store, source, plan }, quarters[0]);
  } finally {
    await source.close?.();
  }
  return plan;
}

/** Every message visible on the queue now, received once (as a worker would, one at a time). */
export async function receiveAll(queue: WorkQueue): Promise<QueueMessage[]> {
  const out: QueueMessage[] = [];
  for (;;) {
    const got = await queue.receive({ max: 10, waitSeconds: 0, visibilitySeconds: 600 });
    if (got.length === 0) return out;
    out.push(...got);
  }
}
