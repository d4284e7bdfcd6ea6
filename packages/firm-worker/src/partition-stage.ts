/** What the firm stage and the sentiment stage share: one partition of a quarter's firms in, one manifest out. */
import type { LakeStore, PartitionManifest } from '@callthemes/common/lake';

export interface PartitionStageOptions<FirmEvent> {
  store: LakeStore;
  quarter: string;
  /** The partition's index and the partition size it was cut with. */
  batch: number;
  batchSize: number;
  runId: string;
  onFirm?: (e: FirmEvent) => void;
  /** When aborted, the stage finishes the firm (or group) in hand, flushes, and returns with `interrupted: true`. */
  signal?: AbortSignal;
  /** Extra fields stored in the manifest (e.g. a run's resume fingerprint). */
  manifestExtra?: Record<string, unknown>;
}

export interface PartitionStageResult {
  /** Null when the stage wrote nothing (interrupted before its first part). */
  manifest: PartitionManifest | null;
  firmsOk: number;
  firmsRejected: number;
  sentences: number;
  interrupted: boolean;
}
