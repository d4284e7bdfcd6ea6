/**
 * A quarter's batch layout (batch size) for one stage. Parts are named by batch number, so the same firm sits
 * in different batches under different batch sizes; a run with a new batch size must first clear the stage's
 * earlier parts of that quarter, or a reader would see firms twice. The layout file records the batch size.
 */
import { partitionPrefix } from './layout.js';
import type { TableName } from './schema.js';
import type { LakeStore } from './store.js';

export function layoutKey(quarter: string, stage: string): string {
  return `_manifests/quarter=${quarter}/${stage}-layout.json`;
}

/** Returns true when earlier output with another batch size was cleared. */
export async function ensureQuarterLayout(
  store: LakeStore,
  quarter: string,
  stage: string,
  tables: readonly TableName[],
  batchSize: number,
): Promise<boolean> {
  const text = await store.getText(layoutKey(quarter, stage));
  const previous = text === null ? null : (JSON.parse(text) as { batchSize: number }).batchSize;
  if (previous === batchSize) return false;
  let cleared = false;
  const stem = stage === 'firm' ? /^batch-\d{4}/ : new RegExp(`^${stage}-batch-\\d{4}`);
  const stale: string[] = [];
  for (const table of [...tables, 'rejects' as TableName]) {
    for (const key of await store.list(partitionPrefix(table, quarter))) {
      if (stem.test(key.split('/').pop()!)) stale.push(key);
    }
  }
  for (const key of await store.list(`_manifests/quarter=${quarter}/`)) {
    if (key.split('/').pop()!.startsWith(`${stage}-batch-`)) stale.push(key);
  }
  if (stale.length > 0) {
    await store.delete(stale);
    cleared = true;
  }
  await store.putText(layoutKey(quarter, stage), `${JSON.stringify({ stage, quarter, batchSize })}\n`);
  return cleared;
}
