/**
 * Registers every lake table as a DuckDB view over all quarters (Hive partitions, quarter as VARCHAR), then
 * the views built on them (research-scores.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent, sqlString } from '../lake/duckdb.js';
import { duckdbType, TABLE_NAMES, TABLES, type TableName } from '../lake/schema.js';
import type { LakeStore } from '../lake/store.js';
import { DERIVED_VIEWS } from './research-scores.js';

export async function registerLakeViews(conn: DuckDBConnection, store: LakeStore): Promise<TableName[]> {
  const withData: TableName[] = [];
  for (const name of TABLE_NAMES) {
    const def = TABLES[name];
    const keys = (await store.list(`${name}/`)).filter((k) => /\/quarter=[^/]+\/[^/]+\.parquet$/.test(k));
    let sql: string;
    if (keys.length > 0) {
      const glob = store.url(`${name}/quarter=*/*.parquet`);
      sql =
        `CREATE OR REPLACE VIEW ${sqlIdent(name)} AS SELECT * FROM read_parquet(${sqlString(glob)}, ` +
        `hive_partitioning=true, hive_types={'quarter': VARCHAR}, union_by_name=true)`;
      withData.push(name);
    } else {
      const cols = def.columns.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${sqlIdent(c.name)}`);
      cols.push(`CAST(NULL AS VARCHAR) AS quarter`);
      sql = `CREATE OR REPLACE VIEW ${sqlIdent(name)} AS SELECT ${cols.join(', ')} WHERE false`;
    }
    await conn.run(sql);
  }
  for (const view of DERIVED_VIEWS) await conn.run(view);
  return withData;
}
