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
  /**
   * Seconds a received message stays hidden; unset (the default): the queue's own configured visibility (on AWS
   * the template sizes it from the measured partition time; locally 30 s). CALLTHEMES_VISIBILITY_SECONDS overrides.
   */
  visibilitySeconds?: number;
  /** How often the heartbeat extends the message in hand; unset: `heartbeatFor(visibility)`. */
  heartbeatSeconds?: number;
  waitSeconds: number;
  /** Local queues: receives before the dead-letter state (SQS: the queue's redrive policy). */
  maxReceiveCount: number;
  /** Local state folder for a remote lake's local backend. */
  stateDir: string;
  /** `cluster/service` of the firm workers on AWS, whose desired count an enqueue raises; unset locally. */
  firmWorkerService?: string;
  /** `cluster/service` of the theme worker on AWS, whose desired count sending a theme message raises to 1. */
  themeWorkerService?: string;
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

const optionalNum = (v: string | undefined): number | undefined =>
  v === undefined || v === '' ? undefined : num(v, 0);

/** The local queues' visibility when no setting names one (SQS queues have their own). */
export const LOCAL_VISIBILITY_SECONDS = 30;

/**
 * The heartbeat for a visibility timeout: a sixth of it, at most 5 minutes, so several heartbeats in a row may
 * fail (or one synchronous stretch may run long) before the message in hand reappears to another worker.
 */
export function heartbeatFor(visibilitySeconds: number): number {
  return Math.max(0.2, Math.min(visibilitySeconds / 6, 300));
}

/**
 * The visibility and heartbeat a worker consumes `queue` with: the settings' when given, else the queue's own
 * configured visibility (the template's, sized for a partition) and a heartbeat well inside it.
 */
export async function consumeTiming(
  queue: WorkQueue,
  s: Pick<FleetSettings, 'visibilitySeconds' | 'heartbeatSeconds'>,
): Promise<{ visibilitySeconds: number; heartbeatSeconds: number }> {
  const visibilitySeconds = s.visibilitySeconds ?? (await queue.configuredVisibilitySeconds());
  const heartbeatSeconds = s.heartbeatSeconds ?? heartbeatFor(visibilitySeconds);
  if (heartbeatSeconds >= visibilitySeconds)
    throw new Error(
      `heartbeat every ${heartbeatSeconds} s does not fit in the ${queue.name} queue's visibility of ${visibilitySeconds} s`,
    );
  return { visibilitySeconds, heartbeatSeconds };
}

/** Settings from the environment (DESIGN's names), with explicit overrides first. */
export function fleetSettingsFrom(
  overrides: Partial<FleetSettings> = {},
  env: NodeJS.ProcessEnv = process.env,
): FleetSettings {
  const partitionsQueueUrl =
    overrides.partitionsQueueUrl ?? (env.CALLTHEMES_PARTITIONS_QUEUE_URL || undefined);
  const backend = overrides.backend ?? (partitionsQueueUrl ? 'aws' : 'local');
  const visibilitySeconds = overrides.visibilitySeconds ?? optionalNum(env.CALLTHEMES_VISIBILITY_SECONDS);
  return {
    backend,
    lake: overrides.lake ?? (env.CALLTHEMES_LAKE || './lake'),
    partitionsQueueUrl,
    themesQueueUrl: overrides.themesQueueUrl ?? (env.CALLTHEMES_THEMES_QUEUE_URL || undefined),
    countersTable: overrides.countersTable ?? (env.CALLTHEMES_COUNTERS_TABLE || undefined),
    visibilitySeconds,
    heartbeatSeconds: overrides.heartbeatSeconds ?? optionalNum(env.CALLTHEMES_HEARTBEAT_SECONDS),
    waitSeconds: overrides.waitSeconds ?? num(env.CALLTHEMES_WAIT_SECONDS, 5),
    maxReceiveCount: overrides.maxReceiveCount ?? num(env.CALLTHEMES_MAX_RECEIVE_COUNT, 3),
    stateDir: overrides.stateDir ?? (env.CALLTHEMES_STATE_DIR || '.callthemes'),
    firmWorkerService: overrides.firmWorkerService ?? (env.CALLTHEMES_FIRM_WORKER_SERVICE || undefined),
    themeWorkerService: overrides.themeWorkerService ?? (env.CALLTHEMES_THEME_WORKER_SERVICE || undefined),
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
      visibilitySeconds: settings.visibilitySeconds ?? LOCAL_VISIBILITY_SECONDS,
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
