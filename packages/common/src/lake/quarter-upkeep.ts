/**
 * Lake upkeep of a quarter's enqueue: the listing's rejects, and removal of batches an earlier attempt over more
 * firms left beyond this one's last.
 */
import { rm } from 'node:fs/promises';
import type { SourceReject } from '../sources/types.js';
import { partitionPrefix, partitionStem, rejectsKey } from './layout.js';
import { scratchFile, writeParquet } from './parquet.js';
import { type Row, TABLES, type TableName } from './schema.js';
import type { LakeStore } from './store.js';

/** Writes a quarter's listing rejects (bad names, duplicate firms) to `rejects/quarter=Q/list.parquet`. */
export async function writeListingRejects(
  store: LakeStore,
  quarter: string,
  rejects: readonly SourceReject[],
): Promise<void> {
  const rows: Row[] = rejects.map((r) => ({
    source_ref: r.sourceRef,
    firm_id: r.firmId,
    stage: 'list',
    reason: r.reason,
  }));
  const tmp = scratchFile(await store.scratchDir(), 'rejects-list');
  try {
    await writeParquet(TABLES.rejects, rows, tmp);
    await store.putFile(rejectsKey(quarter, 'list', null), tmp);
  } finally {
    await rm(tmp, { force: true });
  }
}

/**
 * Removes a stage's batches numbered `from` and up (parts, rejects, manifests): left by an earlier attempt over
 * more firms, they would otherwise stay in the quarter next to this run's batches.
 */
export async function prunePartitionsFrom(
  store: LakeStore,
  quarter: string,
  stage: string,
  tables: readonly TableName[],
  from: number,
): Promise<number> {
  const stemRe = new RegExp(
    `^${partitionStem(stage, 0).replace(/0000$/, '')}(\\d{4})(-part-\\d{4})?\\.(parquet|json)$`,
  );
  const stale: string[] = [];
  const keep = (key: string) => {
    const m = stemRe.exec(key.split('/').pop()!);
    if (m && Number(m[1]) >= from) stale.push(key);
  };
  for (const table of tables) for (const key of await store.list(partitionPrefix(table, quarter))) keep(key);
  for (const key of await store.list(partitionPrefix('rejects', quarter))) keep(key);
  for (const key of await store.list(`_manifests/quarter=${quarter}/`)) {
    const name = key.split('/').pop()!;
    const m = new RegExp(`^${stage}-batch-(\\d{4})\\.json$`).exec(name);
    if (m && Number(m[1]) >= from) stale.push(key);
  }
  if (stale.length > 0) await store.delete(stale);
  return stale.length;
}
