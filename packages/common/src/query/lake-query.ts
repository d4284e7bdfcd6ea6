/** Runs SQL against a lake with every table registered as a view. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDB, queryRows } from '../lake/duckdb.js';
import type { LakeStore } from '../lake/store.js';
import { registerLakeViews } from './views.js';

export class LakeQuery {
  private constructor(readonly conn: DuckDBConnection) {}

  static async open(store: LakeStore): Promise<LakeQuery> {
    const conn = await openDuckDB();
    for (const sql of store.duckdbSettings?.() ?? []) {
      // The statements may hold credentials: the error names the store, never the SQL.
      await conn.run(sql).catch((err: Error) => {
        conn.closeSync();
        throw new Error(`cannot prepare DuckDB for ${store.root}: ${err.message.split('\n')[0]}`);
      });
    }
    await registerLakeViews(conn, store);
    return new LakeQuery(conn);
  }

  rows(sql: string): Promise<Record<string, unknown>[]> {
    return queryRows(this.conn, sql);
  }

  close(): void {
    this.conn.closeSync();
  }
}
