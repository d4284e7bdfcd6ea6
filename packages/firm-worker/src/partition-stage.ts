/** What the firm stage and the sentiment stage share: one partition of a quarter's firms in, one manifest out. */
import { type LakeStore, type PartitionManifest, PartitionWriter } from '@callthemes/common/lake';

/** The stage name of sentiment parts and manifests (`sentiment-batch-0007-part-0001.parquet`). */
export const SENTIMENT_STAGE = 'sentiment';

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

/**
 * A partition's `sentence_sentiment` writer: the sentiment stage's, and the firm stage's when it labels as it goes,
 * under the same names, so the standalone `sentiment` command replaces exactly those parts.
 */
export function sentimentPartWriter<E>(o: PartitionStageOptions<E>, flushEvery: number): PartitionWriter {
  return new PartitionWriter({
    store: o.store,
    stage: SENTIMENT_STAGE,
    quarter: o.quarter,
    batch: o.batch,
    batchSize: o.batchSize,
    runId: o.runId,
    tables: ['sentence_sentiment'],
    flushEvery,
    completionTable: 'sentence_sentiment',
  });
}
