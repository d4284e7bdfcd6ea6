/** Runs SQL against a lake with every table registered as a view. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDuckDBFor, queryRows } from '../lake/duckdb.js';
import type { LakeStore } from '../lake/store.js';
import { registerLakeViews } from './views.js';

export class LakeQuery {
  private constructor(readonly conn: DuckDBConnection) {}

  static async open(store: LakeStore): Promise<LakeQuery> {
    const conn = await openDuckDBFor(store);
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
