/** One in-process DuckDB per caller; small helpers over @duckdb/node-api. */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export async function openDuckDB(
  path = ':memory:',
  options: Record<string, string> = {},
): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(path, { threads: '2', ...options });
  return instance.connect();
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
