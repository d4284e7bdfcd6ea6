/**
 * Writes one stage batch into the lake. Rows are buffered per firm (or item) and flushed as one part per
 * table every `flushEvery` items, so a crash loses at most that many. Parts are numbered from the batch's
 * fixed item order, so a re-run writes the same part names and replaces them atomically: no reader ever sees
 * one firm twice. On finish, parts of this batch from an earlier attempt that were not rewritten are
 * removed, rejects are written, and the manifest is written last.
 */
import { rm } from 'node:fs/promises';
import { manifestKey, partitionStem, partKey, rejectsKey } from './layout.js';
import { scratchFile, writeParquet } from './parquet.js';
import { type Row, TABLES, type TableName } from './schema.js';
import type { LakeStore } from './store.js';

export interface PartitionManifest {
  stage: string;
  quarter: string;
  batch: number;
  batchSize: number;
  runId: string;
  items: string[];
  parts: Record<string, string[]>;
  rows: Record<string, number>;
  rejects: number;
  finishedAt: string;
  [extra: string]: unknown;
}

export interface RejectRow {
  source_ref: string;
  firm_id: string | null;
  stage: string;
  reason: string;
}

export interface PartitionWriterOptions {
  store: LakeStore;
  stage: string;
  quarter: string;
  batch: number;
  batchSize: number;
  runId: string;
  /** Tables this stage writes; every part writes each of them (empty when no rows) so a re-run replaces all. */
  tables: TableName[];
  /** Items (firms) per part. */
  flushEvery: number;
  /** The table whose part is written last in a flush; its presence marks the part complete. */
  completionTable?: TableName;
}

export class PartitionWriter {
  private buffers = new Map<TableName, Row[]>();
  private itemsInPart: string[] = [];
  private part = 1;
  private readonly written = new Map<TableName, string[]>();
  private readonly rowCounts = new Map<TableName, number>();
  private readonly items: string[] = [];
  private readonly rejects: RejectRow[] = [];

  constructor(private readonly opts: PartitionWriterOptions) {
    for (const t of opts.tables) {
      this.buffers.set(t, []);
      this.written.set(t, []);
      this.rowCounts.set(t, 0);
    }
  }

  get currentPart(): number {
    return this.part;
  }

  /** Adds one item's rows; flushes a part when `flushEvery` items are buffered. */
  async addItem(itemId: string, rows: Partial<Record<TableName, Row[]>>): Promise<void> {
    for (const [table, list] of Object.entries(rows) as [TableName, Row[]][]) {
      const buf = this.buffers.get(table);
      if (!buf) throw new Error(`stage ${this.opts.stage} does not write table ${table}`);
      for (const r of list) buf.push(r);
    }
    this.itemsInPart.push(itemId);
    this.items.push(itemId);
    if (this.itemsInPart.length >= this.opts.flushEvery) await this.flush();
  }

  /** Marks an item as processed without rows (rejected); it still counts toward the part boundary. */
  async skipItem(itemId: string): Promise<void> {
    await this.addItem(itemId, {});
    this.items.pop();
  }

  addReject(reject: RejectRow): void {
    this.rejects.push(reject);
  }

  /**
   * Declares that part `part` was already completed by an earlier attempt (resume): its files are kept,
   * counted in the manifest, and the next rows go to the following part.
   */
  async adoptPart(itemIds: readonly string[], rowCounts: Partial<Record<TableName, number>>): Promise<void> {
    if (this.itemsInPart.length > 0)
      throw new Error('adoptPart must be called before rows of that part are added');
    for (const t of this.opts.tables) {
      this.written.get(t)!.push(partKey(t, this.opts.quarter, this.opts.batch, this.part, this.opts.stage));
      this.rowCounts.set(t, this.rowCounts.get(t)! + (rowCounts[t] ?? 0));
    }
    this.items.push(...itemIds);
    this.part++;
  }

  async flush(): Promise<void> {
    if (this.itemsInPart.length === 0) return;
    const { store, quarter, batch, stage } = this.opts;
    const scratch = await store.scratchDir();
    const order = [...this.opts.tables];
    const last = this.opts.completionTable ?? order[0];
    order.sort((a, b) => (a === last ? 1 : b === last ? -1 : 0));
    for (const table of order) {
      const rows = this.buffers.get(table)!;
      const key = partKey(table, quarter, batch, this.part, stage);
      const tmp = scratchFile(scratch, `${table}-${partitionStem(stage, batch)}`);
      try {
        await writeParquet(TABLES[table], rows, tmp);
        await store.putFile(key, tmp);
      } finally {
        await rm(tmp, { force: true });
      }
      this.written.get(table)!.push(key);
      this.rowCounts.set(table, this.rowCounts.get(table)! + rows.length);
      this.buffers.set(table, []);
    }
    this.itemsInPart = [];
    this.part++;
  }

  /**
   * Removes parts an earlier attempt of this batch wrote beyond this attempt's last part (it had a smaller
   * `flushEvery` or more items). Found without listing the partition, which on S3 is slow for a busy
   * quarter and races with other batches' writers: the earlier finished attempt's manifest names its parts,
   * and since every attempt writes parts 1, 2, 3... in order, any crashed attempt's parts form an unbroken
   * run after ours that point reads (HEAD) find exactly.
   */
  private async removeStaleParts(): Promise<void> {
    const { store, quarter, batch, stage } = this.opts;
    const previous = await readManifest(store, quarter, stage, batch);
    for (const table of this.opts.tables) {
      const keep = new Set(this.written.get(table));
      const stale = new Set((previous?.parts[table] ?? []).filter((k) => !keep.has(k)));
      for (let part = this.part; ; part++) {
        const key = partKey(table, quarter, batch, part, stage);
        if (stale.has(key)) continue;
        if (!(await store.exists(key))) break;
        stale.add(key);
      }
      if (stale.size) await store.delete([...stale]);
    }
  }

  /** Flushes, writes rejects, removes stale parts of earlier attempts, then writes the manifest. */
  async finish(extra: Record<string, unknown> = {}): Promise<PartitionManifest> {
    await this.flush();
    const { store, quarter, batch, stage } = this.opts;
    // Rejects: always written (possibly empty) so a re-run replaces an earlier attempt's file.
    const scratch = await store.scratchDir();
    const rKey = rejectsKey(quarter, stage, batch);
    const tmp = scratchFile(scratch, `rejects-${partitionStem(stage, batch)}`);
    try {
      await writeParquet(TABLES.rejects, this.rejects as unknown as Row[], tmp);
      await store.putFile(rKey, tmp);
    } finally {
      await rm(tmp, { force: true });
    }
    await this.removeStaleParts();
    const manifest: PartitionManifest = {
      stage,
      quarter,
      batch,
      batchSize: this.opts.batchSize,
      runId: this.opts.runId,
      items: this.items,
      parts: Object.fromEntries([...this.written].map(([t, keys]) => [t, keys])),
      rows: Object.fromEntries(this.rowCounts),
      rejects: this.rejects.length,
      finishedAt: new Date().toISOString(),
      ...extra,
    };
    await store.putText(manifestKey(quarter, stage, batch), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }
}

export async function readManifest(
  store: LakeStore,
  quarter: string,
  stage: string,
  batch: number,
): Promise<PartitionManifest | null> {
  const text = await store.getText(manifestKey(quarter, stage, batch));
  return text === null ? null : (JSON.parse(text) as PartitionManifest);
}
