/**
 * The fleet's queues and counters, from settings: the AWS adapters (SQS, DynamoDB) when queue URLs are set,
 * else the embedded local ones (one SQLite database beside a folder lake, `<lake>/_fleet/fleet.sqlite`, or in
 * the local state folder for a remote lake). AWS endpoints come only from the SDK's own `AWS_ENDPOINT_URL*`
 * variables, so a test points the same code at an emulator.
 */
import { join, resolve } from 'node:path';
// The SQLite adapters by file, not through the barrels, so the local path never loads the SQS/DynamoDB SDKs.
import type { Counters } from '../counters/counters.js';
import { SqliteCounters } from '../counters/sqlite-counters.js';
import { SqliteWorkQueue } from '../queue/sqlite-queue.js';
import type { WorkQueue } from '../queue/work-queue.js';
import { openDatabase } from '../sqlite/database.js';

export type FleetBackend = 'local' | 'aws';
export const PARTITIONS_QUEUE = 'partitions';
export const THEMES_QUEUE = 'themes';

export interface FleetSettings {
  backend: FleetBackend;
  /** The lake root: a folder or `s3://bucket/prefix`. */
  lake: string;
  partitionsQueueUrl?: string;
  themesQueueUrl?: string;
  countersTable?: string;
  /** Seconds a received message stays hidden; the heartbeat renews it (local default 30, SQS the queue's). */
  visibilitySeconds: number;
  heartbeatSeconds: number;
  waitSeconds: number;
  /** Local queues: receives before the dead-letter state (SQS: the queue's redrive policy). */
  maxReceiveCount: number;
  /** Local state folder for a remote lake's local backend. */
  stateDir: string;
  /** `cluster/service` of the firm workers on AWS, whose desired count an enqueue raises; unset locally. */
  firmWorkerService?: string;
}

export interface Fleet {
  settings: FleetSettings;
  partitions: WorkQueue;
  themes: WorkQueue;
  counters: Counters;
  close(): Promise<void>;
}

const num = (v: string | undefined, fallback: number): number => {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`invalid number "${v}"`);
  return n;
};

/** Settings from the environment (DESIGN's names), with explicit overrides first. */
export function fleetSettingsFrom(
  overrides: Partial<FleetSettings> = {},
  env: NodeJS.ProcessEnv = process.env,
): FleetSettings {
  const partitionsQueueUrl =
    overrides.partitionsQueueUrl ?? (env.CALLTHEMES_PARTITIONS_QUEUE_URL || undefined);
  const backend = overrides.backend ?? (partitionsQueueUrl ? 'aws' : 'local');
  const visibilitySeconds = overrides.visibilitySeconds ?? num(env.CALLTHEMES_VISIBILITY_SECONDS, 30);
  return {
    backend,
    lake: overrides.lake ?? (env.CALLTHEMES_LAKE || './lake'),
    partitionsQueueUrl,
    themesQueueUrl: overrides.themesQueueUrl ?? (env.CALLTHEMES_THEMES_QUEUE_URL || undefined),
    countersTable: overrides.countersTable ?? (env.CALLTHEMES_COUNTERS_TABLE || undefined),
    visibilitySeconds,
    heartbeatSeconds:
      overrides.heartbeatSeconds ??
      num(env.CALLTHEMES_HEARTBEAT_SECONDS, Math.max(0.2, visibilitySeconds / 3)),
    waitSeconds: overrides.waitSeconds ?? num(env.CALLTHEMES_WAIT_SECONDS, 5),
    maxReceiveCount: overrides.maxReceiveCount ?? num(env.CALLTHEMES_MAX_RECEIVE_COUNT, 3),
    stateDir: overrides.stateDir ?? (env.CALLTHEMES_STATE_DIR || '.callthemes'),
    firmWorkerService: overrides.firmWorkerService ?? (env.CALLTHEMES_FIRM_WORKER_SERVICE || undefined),
  };
}

/** Where the local backend keeps its queues and counters for a lake. */
export function localFleetDatabase(s: Pick<FleetSettings, 'lake' | 'stateDir'>): string {
  if (/^s3:\/\//.test(s.lake)) {
    const safe = s.lake.replace(/^s3:\/\//, '').replace(/[^A-Za-z0-9._-]+/g, '_');
    return resolve(s.stateDir, `fleet-${safe}.sqlite`);
  }
  return join(resolve(s.lake), '_fleet', 'fleet.sqlite');
}

export async function openFleet(settings: FleetSettings): Promise<Fleet> {
  if (settings.backend === 'aws') {
    const { openAwsFleet } = await import('./aws-fleet.js');
    return openAwsFleet(settings);
  }
  // One connection for both queues and the counters: fewer file handles, one WAL writer per process.
  const db = openDatabase(localFleetDatabase(settings), '');
  const queue = (name: string) =>
    new SqliteWorkQueue({
      db,
      name,
      maxReceiveCount: settings.maxReceiveCount,
      visibilitySeconds: settings.visibilitySeconds,
    });
  const partitions = queue(PARTITIONS_QUEUE);
  const themes = queue(THEMES_QUEUE);
  const counters = new SqliteCounters({ db });
  return {
    settings,
    partitions,
    themes,
    counters,
    async close() {
      if (db.isOpen) db.close();
    },
  };
}
