/**
 * A quarter's firms, sorted by id, cut into fixed partitions: partition I holds firms [I·size, (I+1)·size). The
 * fields keep the names of the lake files and of `callthemes batches`' JSON (`batch`, `batchSize`).
 */
import type { FirmRef } from './types.js';

export interface PartitionSpec {
  quarter: string;
  batch: number;
  batchSize: number;
  firms: number;
  firstFirm: string;
  lastFirm: string;
}

export function partitionCount(nFirms: number, batchSize: number): number {
  return Math.ceil(nFirms / batchSize);
}

export function partitionFirms<T extends FirmRef>(
  firms: readonly T[],
  batch: number,
  batchSize: number,
): T[] {
  if (!Number.isInteger(batch) || batch < 0) throw new Error(`invalid batch ${batch}`);
  return firms.slice(batch * batchSize, (batch + 1) * batchSize);
}

export function describePartitions(
  quarter: string,
  firms: readonly FirmRef[],
  batchSize: number,
): PartitionSpec[] {
  const out: PartitionSpec[] = [];
  for (let b = 0; b < partitionCount(firms.length, batchSize); b++) {
    const list = partitionFirms(firms, b, batchSize);
    out.push({
      quarter,
      batch: b,
      batchSize,
      firms: list.length,
      firstFirm: list[0].firmId,
      lastFirm: list[list.length - 1].firmId,
    });
  }
  return out;
}
