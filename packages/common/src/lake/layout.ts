/** Object keys of the lake (DESIGN "Lake layout"). */
import type { TableName } from './schema.js';

export const pad4 = (n: number): string => String(n).padStart(4, '0');

export function partitionPrefix(table: TableName | string, quarter: string): string {
  return `${table}/quarter=${quarter}/`;
}

/** `sentences/quarter=2021Q2/batch-0007-part-0001.parquet` (parts count from 1). */
export function partKey(
  table: TableName,
  quarter: string,
  batch: number,
  part: number,
  stage = 'firm',
): string {
  return `${partitionPrefix(table, quarter)}${partitionStem(stage, batch)}-part-${pad4(part)}.parquet`;
}

/** Files of one stage batch share this stem: `batch-0007` for the firm stage, `sentiment-batch-0007` else. */
export function partitionStem(stage: string, batch: number): string {
  return stage === 'firm' ? `batch-${pad4(batch)}` : `${stage}-batch-${pad4(batch)}`;
}

export function rejectsKey(quarter: string, stage: string, batch: number | null): string {
  return `${partitionPrefix('rejects', quarter)}${batch === null ? `${stage}` : partitionStem(stage, batch)}.parquet`;
}

export function manifestKey(quarter: string, stage: string, batch: number): string {
  return `_manifests/quarter=${quarter}/${stage}-batch-${pad4(batch)}.json`;
}

export function runKey(runId: string): string {
  return `_runs/${runId}.json`;
}
