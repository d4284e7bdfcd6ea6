/**
 * The local WorkQueue: SQS's semantics in one SQLite table, safe across processes and crashes. A message row
 * carries its visibility deadline and receive count; a receive past `maxReceiveCount` moves it to the
 * dead-letter state, as SQS's redrive policy does. Every step is one transaction, so a killed process leaves
 * the queue consistent: its message reappears when the deadline passes.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { immediate, openDatabase } from '../sqlite/database.js';
import { pollingConsumer } from './polling-consumer.js';
import type {
  ConsumeOptions,
  Consumer,
  QueueDepth,
  QueueMessage,
  ReceiveOptions,
  RedriveResult,
  WorkQueue,
} from './work-queue.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS queue_messages (
  id TEXT PRIMARY KEY,
  queue TEXT NOT NULL,
  body TEXT NOT NULL,
  sent_at REAL NOT NULL,
  visible_at REAL NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  receipt TEXT,
  dead INTEGER NOT NULL DEFAULT 0,
  dead_reason TEXT
);
CREATE INDEX IF NOT EXISTS queue_messages_ready ON queue_messages (queue, dead, visible_at);
`;

export interface SqliteQueueOptions {
  /** The database file (shared with the local counters), or an open database. */
  path?: string;
  db?: DatabaseSync;
  name: string;
  /** Receives after which a message moves to the dead-letter state (SQS's redrive policy; default 3). */
  maxReceiveCount?: number;
  /** Default visibility timeout in seconds (default 30). */
  visibilitySeconds?: number;
}

const now = () => Date.now() / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SqliteWorkQueue implements WorkQueue {
  readonly name: string;
  private readonly db: DatabaseSync;
  private readonly ownsDb: boolean;
  private readonly maxReceiveCount: number;
  private readonly visibilitySeconds: number;

  constructor(o: SqliteQueueOptions) {
    if (!o.db && !o.path) throw new Error('SqliteWorkQueue needs a database path');
    this.name = o.name;
    this.ownsDb = !o.db;
    this.db = o.db ?? openDatabase(o.path!, SCHEMA);
    if (o.db) immediate(this.db, () => this.db.exec(SCHEMA));
    this.maxReceiveCount = o.maxReceiveCount ?? 3;
    this.visibilitySeconds = o.visibilitySeconds ?? 30;
  }

  async configuredVisibilitySeconds(): Promise<number> {
    return this.visibilitySeconds;
  }

  async send(body: string): Promise<string> {
    const id = randomUUID();
    const t = now();
    this.db
      .prepare('INSERT INTO queue_messages (id, queue, body, sent_at, visible_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, this.name, body, t, t);
    return id;
  }

  async receive(o: ReceiveOptions = {}): Promise<QueueMessage[]> {
    const max = o.max ?? 1;
    const vis = o.visibilitySeconds ?? this.visibilitySeconds;
    const deadline = now() + (o.waitSeconds ?? 0);
    for (;;) {
      const got = this.receiveNow(max, vis);
      if (got.length > 0 || now() >= deadline) return got;
      await sleep(Math.min(100, Math.max(1, (deadline - now()) * 1000)));
    }
  }

  private receiveNow(max: number, vis: number): QueueMessage[] {
    return immediate(this.db, () => {
      const t = now();
      const rows = this.db
        .prepare(
          'SELECT id, body, receive_count FROM queue_messages WHERE queue = ? AND dead = 0 AND visible_at <= ? ' +
            'ORDER BY sent_at, rowid LIMIT ?',
        )
        // A few more than asked: rows past maxReceiveCount are moved to the dead letters, not handed out.
        .all(this.name, t, max + 16) as { id: string; body: string; receive_count: number }[];
      const out: QueueMessage[] = [];
      const kill = this.db.prepare(
        "UPDATE queue_messages SET dead = 1, dead_reason = 'maxReceiveCount exceeded', receipt = NULL WHERE id = ?",
      );
      const take = this.db.prepare(
        'UPDATE queue_messages SET receive_count = ?, receipt = ?, visible_at = ? WHERE id = ?',
      );
      for (const r of rows) {
        if (out.length >= max) break;
        // As SQS: the receive that would exceed maxReceiveCount moves the message to the DLQ instead.
        if (r.receive_count >= this.maxReceiveCount) {
          kill.run(r.id);
          continue;
        }
        const receipt = randomUUID();
        take.run(r.receive_count + 1, receipt, t + vis, r.id);
        out.push({ id: r.id, body: r.body, receipt, receiveCount: r.receive_count + 1 });
      }
      return out;
    });
  }

  async changeVisibility(receipt: string, seconds: number): Promise<void> {
    this.db
      .prepare('UPDATE queue_messages SET visible_at = ? WHERE receipt = ? AND dead = 0')
      .run(now() + seconds, receipt);
  }

  async delete(receipt: string): Promise<void> {
    this.db.prepare('DELETE FROM queue_messages WHERE receipt = ?').run(receipt);
  }

  async deadLetter(message: QueueMessage, reason: string): Promise<void> {
    this.db
      .prepare('UPDATE queue_messages SET dead = 1, dead_reason = ?, receipt = NULL WHERE id = ?')
      .run(reason, message.id);
  }

  async depth(): Promise<QueueDepth> {
    const t = now();
    const r = this.db
      .prepare(
        'SELECT coalesce(sum(dead = 0 AND visible_at <= ?), 0) AS visible, coalesce(sum(dead = 0 AND visible_at > ?), 0) AS in_flight, ' +
          'coalesce(sum(dead = 1), 0) AS dead FROM queue_messages WHERE queue = ?',
      )
      .get(t, t, this.name) as { visible: number; in_flight: number; dead: number };
    return { visible: r.visible, inFlight: r.in_flight, deadLetters: r.dead };
  }

  /** The dead letters' bodies and reasons (for `producer status` and tests). */
  deadLetters(): { id: string; body: string; reason: string | null }[] {
    return this.db
      .prepare(
        'SELECT id, body, dead_reason AS reason FROM queue_messages WHERE queue = ? AND dead = 1 ORDER BY sent_at',
      )
      .all(this.name) as { id: string; body: string; reason: string | null }[];
  }

  async redrive(o: { dryRun?: boolean } = {}): Promise<RedriveResult> {
    if (o.dryRun) return { moved: (await this.depth()).deadLetters };
    // A moved message gets a new id, as SQS's redrive gives one: nothing may rely on a delivery's id.
    return immediate(this.db, () => {
      const dead = this.db
        .prepare('SELECT id FROM queue_messages WHERE queue = ? AND dead = 1')
        .all(this.name) as { id: string }[];
      const move = this.db.prepare(
        'UPDATE queue_messages SET id = ?, dead = 0, dead_reason = NULL, receive_count = 0, receipt = NULL, visible_at = ? WHERE id = ?',
      );
      const t = now();
      for (const { id } of dead) move.run(randomUUID(), t, id);
      return { moved: dead.length };
    });
  }

  consumer(options: ConsumeOptions): Consumer {
    return pollingConsumer(this, options);
  }

  async close(): Promise<void> {
    if (this.ownsDb && this.db.isOpen) this.db.close();
  }
}
