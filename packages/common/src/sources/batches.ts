/** A quarter's firms, sorted by id, cut into fixed batches: batch I holds firms [I·size, (I+1)·size). */
import type { FirmRef } from './types.js';

export interface BatchSpec {
  quarter: string;
  batch: number;
  batchSize: number;
  firms: number;
  firstFirm: string;
  lastFirm: string;
}

export function batchCount(nFirms: number, batchSize: number): number {
  return Math.ceil(nFirms / batchSize);
}

export function batchFirms<T extends FirmRef>(firms: readonly T[], batch: number, batchSize: number): T[] {
  if (!Number.isInteger(batch) || batch < 0) throw new Error(`invalid batch ${batch}`);
  return firms.slice(batch * batchSize, (batch + 1) * batchSize);
}

export function describeBatches(quarter: string, firms: readonly FirmRef[], batchSize: number): BatchSpec[] {
  const out: BatchSpec[] = [];
  for (let b = 0; b < batchCount(firms.length, batchSize); b++) {
    const list = batchFirms(firms, b, batchSize);
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
