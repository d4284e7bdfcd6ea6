/**
 * The local Counters: the DynamoDB adapter's semantics in SQLite tables (the same database file as the local
 * queue). Each operation is one `BEGIN IMMEDIATE` transaction, so concurrent processes see exactly-once claims
 * and idempotent completions, as conditional writes give on DynamoDB.
 */
import type { DatabaseSync } from 'node:sqlite';
import { immediate, openDatabase } from '../sqlite/database.js';
import {
  type CompletionResult,
  type Counters,
  flagStates,
  type QuarterFlag,
  type QuarterState,
  quarterComplete,
  type RunPlan,
} from './counters.js';

/** The row that records a themed quarter (kept from when it was a flag, so existing databases read the same). */
const THEMED_ROW = 'quarterDone';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS counter_plans (
  run_id TEXT PRIMARY KEY,
  plan TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counter_quarters (
  run_id TEXT NOT NULL,
  quarter TEXT NOT NULL,
  expected INTEGER,
  firms INTEGER,
  firms_ok INTEGER NOT NULL DEFAULT 0,
  firms_rejected INTEGER NOT NULL DEFAULT 0,
  last_completed_at TEXT,
  PRIMARY KEY (run_id, quarter)
);
CREATE TABLE IF NOT EXISTS counter_partitions (
  run_id TEXT NOT NULL,
  quarter TEXT NOT NULL,
  partition INTEGER NOT NULL,
  done_at TEXT,
  sent_at TEXT,
  PRIMARY KEY (run_id, quarter, partition)
);
CREATE TABLE IF NOT EXISTS counter_flags (
  run_id TEXT NOT NULL,
  quarter TEXT NOT NULL,
  flag TEXT NOT NULL,
  claimed_at TEXT,
  claimed_by TEXT,
  sent_at TEXT,
  PRIMARY KEY (run_id, quarter, flag)
);
`;

const iso = () => new Date().toISOString();

export class SqliteCounters implements Counters {
  private readonly db: DatabaseSync;
  private readonly ownsDb: boolean;

  constructor(o: { path?: string; db?: DatabaseSync }) {
    if (!o.db && !o.path) throw new Error('SqliteCounters needs a database path');
    this.ownsDb = !o.db;
    this.db = o.db ?? openDatabase(o.path!, SCHEMA);
    if (o.db) immediate(this.db, () => this.db.exec(SCHEMA));
  }

  async putPlan(plan: RunPlan): Promise<RunPlan> {
    return immediate(this.db, () => {
      this.db
        .prepare('INSERT OR IGNORE INTO counter_plans (run_id, plan, created_at) VALUES (?, ?, ?)')
        .run(plan.runId, JSON.stringify(plan), plan.createdAt);
      return this.readPlan(plan.runId)!;
    });
  }

  private readPlan(runId: string): RunPlan | null {
    const r = this.db.prepare('SELECT plan FROM counter_plans WHERE run_id = ?').get(runId) as
      | { plan: string }
      | undefined;
    return r ? (JSON.parse(r.plan) as RunPlan) : null;
  }

  async getPlan(runId: string): Promise<RunPlan | null> {
    return this.readPlan(runId);
  }

  async listRuns(): Promise<RunPlan[]> {
    const rows = this.db.prepare('SELECT plan FROM counter_plans ORDER BY created_at DESC, run_id').all() as {
      plan: string;
    }[];
    return rows.map((r) => JSON.parse(r.plan) as RunPlan);
  }

  private ensureQuarter(runId: string, quarter: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO counter_quarters (run_id, quarter) VALUES (?, ?)')
      .run(runId, quarter);
  }

  async setExpected(runId: string, quarter: string, expected: number, firms: number) {
    return immediate(this.db, () => {
      this.ensureQuarter(runId, quarter);
      this.db
        .prepare(
          'UPDATE counter_quarters SET expected = ?, firms = ? WHERE run_id = ? AND quarter = ? AND expected IS NULL',
        )
        .run(expected, firms, runId, quarter);
      const r = this.db
        .prepare('SELECT expected, firms FROM counter_quarters WHERE run_id = ? AND quarter = ?')
        .get(runId, quarter) as { expected: number; firms: number };
      return { expected: r.expected, firms: r.firms };
    });
  }

  async markPartitionSent(runId: string, quarter: string, partition: number): Promise<void> {
    this.stampSentOnce('counter_partitions', 'partition', runId, quarter, partition);
  }

  async completePartition(
    runId: string,
    quarter: string,
    partition: number,
    firms: { ok: number; rejected: number },
  ): Promise<CompletionResult> {
    return immediate(this.db, () => {
      this.ensureQuarter(runId, quarter);
      const t = iso();
      const r = this.db
        .prepare(
          'INSERT INTO counter_partitions (run_id, quarter, partition, done_at) VALUES (?, ?, ?, ?) ' +
            'ON CONFLICT DO UPDATE SET done_at = excluded.done_at WHERE done_at IS NULL',
        )
        .run(runId, quarter, partition, t);
      const newlyCompleted = Number(r.changes) === 1;
      if (newlyCompleted)
        this.db
          .prepare(
            'UPDATE counter_quarters SET firms_ok = firms_ok + ?, firms_rejected = firms_rejected + ?, ' +
              'last_completed_at = ? WHERE run_id = ? AND quarter = ?',
          )
          .run(firms.ok, firms.rejected, t, runId, quarter);
      const { done } = this.db
        .prepare(
          'SELECT count(*) AS done FROM counter_partitions WHERE run_id = ? AND quarter = ? AND done_at IS NOT NULL',
        )
        .get(runId, quarter) as { done: number };
      const { expected } = this.db
        .prepare('SELECT expected FROM counter_quarters WHERE run_id = ? AND quarter = ?')
        .get(runId, quarter) as { expected: number | null };
      return { newlyCompleted, done, expected, quarterComplete: quarterComplete({ expected, done }) };
    });
  }

  async claim(runId: string, quarter: string, flag: QuarterFlag, owner: string): Promise<boolean> {
    return immediate(this.db, () => {
      const r = this.db
        .prepare(
          'INSERT INTO counter_flags (run_id, quarter, flag, claimed_at, claimed_by) VALUES (?, ?, ?, ?, ?) ' +
            'ON CONFLICT DO UPDATE SET claimed_at = coalesce(claimed_at, excluded.claimed_at), ' +
            'claimed_by = coalesce(claimed_by, excluded.claimed_by) ' +
            'WHERE claimed_at IS NULL OR claimed_by = excluded.claimed_by',
        )
        .run(runId, quarter, flag, iso(), owner);
      return Number(r.changes) === 1;
    });
  }

  async markSent(runId: string, quarter: string, flag: QuarterFlag): Promise<void> {
    this.markFlagRow(runId, quarter, flag);
  }

  async markThemed(runId: string, quarter: string): Promise<void> {
    this.markFlagRow(runId, quarter, THEMED_ROW);
  }

  private markFlagRow(runId: string, quarter: string, flag: string): void {
    this.stampSentOnce('counter_flags', 'flag', runId, quarter, flag);
  }

  /** Stamps `sent_at` on the (run, quarter, key) row of `table`, creating it if needed; the first stamp stays. */
  private stampSentOnce(
    table: 'counter_partitions' | 'counter_flags',
    keyColumn: 'partition' | 'flag',
    runId: string,
    quarter: string,
    key: number | string,
  ): void {
    immediate(this.db, () => {
      this.db
        .prepare(
          `INSERT INTO ${table} (run_id, quarter, ${keyColumn}, sent_at) VALUES (?, ?, ?, ?) ` +
            'ON CONFLICT DO UPDATE SET sent_at = coalesce(sent_at, excluded.sent_at)',
        )
        .run(runId, quarter, key, iso());
    });
  }

  async quarterState(runId: string, quarter: string): Promise<QuarterState> {
    const q = this.db
      .prepare('SELECT * FROM counter_quarters WHERE run_id = ? AND quarter = ?')
      .get(runId, quarter) as
      | {
          expected: number | null;
          firms: number | null;
          firms_ok: number;
          firms_rejected: number;
          last_completed_at: string | null;
        }
      | undefined;
    const parts = this.db
      .prepare(
        'SELECT partition, done_at, sent_at FROM counter_partitions WHERE run_id = ? AND quarter = ? ORDER BY partition',
      )
      .all(runId, quarter) as { partition: number; done_at: string | null; sent_at: string | null }[];
    const flagRows = this.db
      .prepare('SELECT flag, claimed_at, sent_at FROM counter_flags WHERE run_id = ? AND quarter = ?')
      .all(runId, quarter) as { flag: string; claimed_at: string | null; sent_at: string | null }[];
    const flags = flagStates((f) => {
      const r = flagRows.find((x) => x.flag === f);
      return { claimed: !!r?.claimed_at, sent: !!r?.sent_at };
    });
    return {
      quarter,
      expected: q?.expected ?? null,
      firms: q?.firms ?? null,
      done: parts.filter((p) => p.done_at).map((p) => p.partition),
      sent: parts.filter((p) => p.sent_at).map((p) => p.partition),
      firmsOk: q?.firms_ok ?? 0,
      firmsRejected: q?.firms_rejected ?? 0,
      flags,
      themed: flagRows.some((r) => r.flag === THEMED_ROW && r.sent_at),
      lastCompletedAt: q?.last_completed_at ?? null,
    };
  }

  async close(): Promise<void> {
    if (this.ownsDb && this.db.isOpen) this.db.close();
  }
}
