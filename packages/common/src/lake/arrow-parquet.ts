/**
 * Writes rows of a lake table to Parquet from an Arrow table: @duckdb/node-api has no Arrow import
 * (`read_arrow` is absent), so the Arrow columns are copied into DuckDB data chunks (≤ 2048 rows, DuckDB's
 * vector size), appended to a temp table with the schema's types, and `COPY … TO parquet (zstd)` writes
 * the file. Same columns, types and values as the NDJSON writer in parquet.ts; see ../../BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  FLOAT,
  INTEGER,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import type { Table, Vector } from 'apache-arrow';
import { rowsToArrow } from './arrow-rows.js';
import { openDuckDB, sqlIdent, sqlString } from './duckdb.js';
import { type ColumnType, duckdbType, type Row, type TableDef } from './schema.js';

/** DuckDB's standard vector size: the most rows one data chunk holds. */
export const CHUNK_ROWS = 2048;

let shared: Promise<DuckDBConnection> | undefined;

function connection(): Promise<DuckDBConnection> {
  shared ??= openDuckDB();
  return shared;
}

function chunkType(t: ColumnType): DuckDBType {
  switch (t) {
    case 'string':
      return VARCHAR;
    case 'int':
      return INTEGER;
    case 'bigint':
      return BIGINT;
    case 'double':
      return DOUBLE;
    case 'float':
      return FLOAT;
    case 'bool':
      return BOOLEAN;
    case 'list<string>':
      return LIST(VARCHAR);
    case 'list<float>':
      return LIST(FLOAT);
  }
}

/** One Arrow column's rows [from, to) as the values a DuckDB vector takes. */
function chunkValues(t: ColumnType, col: Vector, from: number, to: number): DuckDBValue[] {
  const out: DuckDBValue[] = new Array(to - from);
  const isList = t === 'list<string>' || t === 'list<float>';
  for (let i = from; i < to; i++) {
    const v = col.get(i);
    if (v === null) out[i - from] = null;
    else if (isList) out[i - from] = listValue(Array.from((v as Vector).toArray() as ArrayLike<DuckDBValue>));
    else out[i - from] = v as DuckDBValue;
  }
  return out;
}

/** Writes an Arrow table built by `rowsToArrow` for `table` to `outPath`. */
export async function writeArrowTable(table: TableDef, arrow: Table, outPath: string): Promise<void> {
  const conn = await connection();
  const tmp = `part_${table.name}_${process.pid}_${randomBytes(6).toString('hex')}`;
  const columns = table.columns.map((c) => `${sqlIdent(c.name)} ${duckdbType(c.type)}`).join(', ');
  await conn.run(`CREATE TEMP TABLE ${sqlIdent(tmp)} (${columns})`);
  try {
    const types = table.columns.map((c) => chunkType(c.type));
    const cols = table.columns.map((c) => {
      const v = arrow.getChild(c.name);
      if (!v) throw new Error(`${table.name}.${c.name}: column missing from the Arrow table`);
      return v;
    });
    const appender = await conn.createAppender(tmp, 'main', 'temp');
    try {
      for (let from = 0; from < arrow.numRows; from += CHUNK_ROWS) {
        const to = Math.min(arrow.numRows, from + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(types, to - from);
        for (const [j, c] of table.columns.entries()) {
          chunk.setColumnValues(j, chunkValues(c.type, cols[j] as Vector, from, to));
        }
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await conn.run(`COPY ${sqlIdent(tmp)} TO ${sqlString(outPath)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS temp.main.${sqlIdent(tmp)}`);
  }
}

/** Rows → Arrow (validated, exact types) → Parquet at `outPath`. */
export async function writeParquetArrow(
  table: TableDef,
  rows: readonly Row[],
  outPath: string,
): Promise<void> {
  await writeArrowTable(table, rowsToArrow(table, rows), outPath);
}
