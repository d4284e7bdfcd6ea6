/**
 * Scratch files a killed run left behind: `<name>.<pid>.<hex>.parquet` (and its `.ndjson`) in the lake's scratch
 * folder, written by processes that are gone. They are never read (readers glob the table folders), only wasted
 * space, so a run removes those of dead processes when it starts.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LakeStore } from '@callthemes/common/lake';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function removeDeadScratch(store: LakeStore): Promise<number> {
  const dir = await store.scratchDir();
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = /\.(\d+)\.[0-9a-f]{12}\.parquet(\.[0-9a-f]{8}\.ndjson)?$/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    await rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
