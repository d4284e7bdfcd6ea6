/**
 * Resume: which batches of a stage an earlier attempt finished. A batch is done when its manifest (written
 * last) exists and carries the fingerprint of what the batch would be now: the stage's settings and those of
 * the stages before it, the batch size, and the batch's item ids. Anything else (no manifest, another
 * fingerprint) is redone, and the batch writer replaces its parts, so a half-written batch leaves no duplicates.
 */

import type { LakeStore } from '@callthemes/common/lake';
import { manifestKey, readManifest } from '@callthemes/common/lake';
import { hashOf } from './config.js';

export interface FingerprintInput {
  stage: string;
  /** Settings of this stage and of every stage before it. */
  settings: Record<string, unknown>;
  batchSize: number;
  items: readonly string[];
}

export function batchFingerprint(input: FingerprintInput): string {
  return hashOf(input, 24);
}

export async function isBatchDone(
  store: LakeStore,
  quarter: string,
  stage: string,
  batch: number,
  fingerprint: string,
): Promise<boolean> {
  const m = await readManifest(store, quarter, stage, batch).catch(() => null);
  return m !== null && m.fingerprint === fingerprint;
}

/** Adds the fingerprint to a manifest the stage wrote without it (stages that take no manifest extras). */
export async function stampManifest(
  store: LakeStore,
  quarter: string,
  stage: string,
  batch: number,
  fingerprint: string,
): Promise<void> {
  const m = await readManifest(store, quarter, stage, batch);
  if (!m) throw new Error(`${stage} ${quarter} batch ${batch}: no manifest after the batch finished`);
  if (m.fingerprint === fingerprint) return;
  await store.putText(
    manifestKey(quarter, stage, batch),
    `${JSON.stringify({ ...m, fingerprint }, null, 2)}\n`,
  );
}
