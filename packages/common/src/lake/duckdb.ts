/** One in-process DuckDB per caller; small helpers over @duckdb/node-api. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { stringSetting } from '../config/settings.js';
import type { LakeStore } from './store.js';

/**
 * Where DuckDB loads extensions (httpfs, aws) from: `<cacheDir>/duckdb-extensions`, filled from PyPI's pinned
 * wheels by scripts/setup-duckdb-extensions.sh (the worker images bake it at build time), when it exists.
 */
export function duckdbExtensionDir(): string | undefined {
  const dir = resolve(stringSetting('cacheDir', undefined, '.cache'), 'duckdb-extensions');
  return existsSync(dir) ? dir : undefined;
}

export async function openDuckDB(
  path = ':memory:',
  options: Record<string, string> = {},
): Promise<DuckDBConnection> {
  const extensions = duckdbExtensionDir();
  const instance = await DuckDBInstance.create(path, {
    threads: '2',
    // Extensions come only from the pinned wheels, never downloaded at run time.
    autoinstall_known_extensions: 'false',
    ...(extensions ? { extension_directory: extensions } : {}),
    ...options,
  });
  return instance.connect();
}

/**
 * A connection that reads the store's `url()`s: the store's settings run first (httpfs and an S3 secret for an
 * `s3://` lake). The statements may hold credentials: an error names the store, never the SQL.
 */
export async function openDuckDBFor(
  store: Pick<LakeStore, 'root' | 'duckdbSettings'>,
): Promise<DuckDBConnection> {
  const conn = await openDuckDB();
  for (const sql of store.duckdbSettings?.() ?? []) {
    await conn.run(sql).catch((err: Error) => {
      conn.closeSync();
      throw new Error(`cannot prepare DuckDB for ${store.root}: ${err.message.split('\n')[0]}`);
    });
  }
  return conn;
}

/** Rows as plain JS objects (BIGINT as number when safe, lists as arrays). */
export async function queryRows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = plain(v);
    return out;
  });
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === 'object' && v.constructor === Object) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = plain(x);
    return o;
  }
  return v;
}

export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
