/**
 * What each handled message leaves in the lake for the run's metrics: one JSON record per partition and per
 * themed quarter, under deterministic keys (a redelivered message overwrites its record), so `callthemes run`
 * can total a run however many processes, restarts and machines did its work.
 */
import type { LakeStore } from '../lake/index.js';
import { pad4 } from '../lake/index.js';

export interface PartitionRecord {
  runId: string;
  quarter: string;
  partition: number;
  worker: string;
  /** True when the partition's output was already in the lake (another delivery or run wrote it). */
  reused?: boolean;
  firmsOk: number;
  firmsRejected: number;
  sentences: number;
  topics: number;
  labels: Record<string, number>;
  /** Wall seconds of each firm that completed. */
  firmSeconds: number[];
  wallSeconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
  /** Service usage (requests, tokens, cost) of this partition. */
  ledger: Record<string, number>;
  finishedAt: string;
}

export interface ThemeRecord {
  runId: string;
  quarter: string;
  worker: string;
  firms: number;
  topics: number;
  themes: number;
  links: number;
  /**
   * True when no firm of the quarter completed (no calls, or every firm rejected): the quarter is recorded
   * with 0 themes and the plan goes on; its theme tables are absent, so lineage links across it.
   */
  empty?: boolean;
  /** The largest theme's share of the quarter's topics. */
  largestShare?: number;
  /** Why the quarter's themes look degenerate (a collapse), or null; the worker also warns. */
  degenerate?: string | null;
  wallSeconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
  ledger: Record<string, number>;
  finishedAt: string;
}

export const partitionRecordKey = (runId: string, quarter: string, partition: number) =>
  `_runs/${runId}/partitions/quarter=${quarter}/partition-${pad4(partition)}.json`;
export const themeRecordKey = (runId: string, quarter: string) =>
  `_runs/${runId}/themes/quarter=${quarter}.json`;

export async function writeRecord(store: LakeStore, key: string, record: object): Promise<void> {
  await store.putText(key, `${JSON.stringify(record)}\n`);
}

/** Every record of a run, or of one of its quarters: partitions and themed quarters. */
export async function readRunRecords(
  store: LakeStore,
  runId: string,
  quarter?: string,
): Promise<{ partitions: PartitionRecord[]; themes: ThemeRecord[] }> {
  const read = async <T>(keys: readonly string[]): Promise<T[]> => {
    const texts = await Promise.all(keys.filter((k) => k.endsWith('.json')).map((k) => store.getText(k)));
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as T);
  };
  const partitionsPrefix = `_runs/${runId}/partitions/${quarter ? `quarter=${quarter}/` : ''}`;
  return {
    partitions: await read<PartitionRecord>(await store.list(partitionsPrefix)),
    themes: await read<ThemeRecord>(
      quarter ? [themeRecordKey(runId, quarter)] : await store.list(`_runs/${runId}/themes/`),
    ),
  };
}
