/**
 * One SQLite database shared by several processes (Node's built-in `node:sqlite`): WAL so readers never block the
 * writer, a busy timeout so concurrent writers wait instead of failing, and `BEGIN IMMEDIATE` transactions so a
 * read-then-write step takes the write lock before it reads (no lost update between processes).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export function openDatabase(path: string, schema: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { timeout: 30_000 });
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  immediate(db, () => db.exec(schema));
  return db;
}

/** Runs `fn` in a write transaction; rolls back on a throw. */
export function immediate<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
