/**
 * Writes rows of a lake table to Parquet from an Arrow table: @duckdb/node-api has no Arrow import
 * (`read_arrow` is absent), so the Arrow columns are copied into DuckDB data chunks (≤ 2048 rows, DuckDB's
 * vector size), appended to a temp table with the schema's types, and `COPY … TO parquet (zstd)` writes
 * the file. The copy goes buffer to buffer through @duckdb/node-bindings (fixed-width columns, list offsets
 * and validity in one copy each, strings as their UTF-8 bytes): node-api's `setColumnValues` takes one JS
 * value at a time and decoding Arrow strings back to JS cost more than the whole NDJSON writer. Same
 * columns, types and values as the NDJSON writer in parquet.ts; see ../../BENCHMARKS.md.
 */
import { randomBytes } from 'node:crypto';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  FLOAT,
  INTEGER,
  LIST,
  VARCHAR,
} from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import type { Data, Table, Vector } from 'apache-arrow';
import { arrowType, rowsToArrow } from './arrow-rows.js';
import { sqlIdent, sqlString } from './duckdb.js';
import { type ColumnType, duckdbType, type Row, type TableDef } from './schema.js';

/** DuckDB's standard vector size: the most rows one data chunk holds. */
export const CHUNK_ROWS = 2048;

let shared: Promise<DuckDBInstance> | undefined;

/**
 * A connection of its own for each write, on one shared in-memory instance: an appender and a statement of
 * two concurrent writes on one connection break each other ("unsuccessful or closed pending query result").
 */
async function connection(): Promise<DuckDBConnection> {
  shared ??= DuckDBInstance.create(':memory:', { threads: '2' });
  return (await shared).connect();
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

/** DuckDB's validity mask for rows [from, from + n) of `d`: 64-bit words, LSB first, as Arrow's bits. */
function copyValidity(vec: duckdb.Vector, d: Data, from: number, n: number): void {
  if (!d.nullCount || !d.nullBitmap) return;
  const bits = new Uint8Array(Math.ceil(n / 64) * 8);
  const src = d.nullBitmap;
  for (let i = 0; i < n; i++) {
    const k = d.offset + from + i;
    if (((src[k >> 3] as number) >> (k & 7)) & 1) bits[i >> 3] = (bits[i >> 3] as number) | (1 << (i & 7));
  }
  duckdb.vector_ensure_validity_writable(vec);
  duckdb.copy_data_to_vector_validity(vec, 0, bits.buffer, 0, bits.byteLength);
}

/** Strings [from, from + n) of Utf8 data `d` into `vec`, as UTF-8 bytes (no decode to JS strings). */
function copyStrings(vec: duckdb.Vector, d: Data, from: number, n: number, valid: boolean): void {
  const off = d.valueOffsets as Int32Array;
  const bytes = d.values as Uint8Array;
  for (let i = 0; i < n; i++) {
    const k = d.offset + from + i;
    if (valid || d.getValid(from + i))
      duckdb.vector_assign_string_element_len(vec, i, bytes.subarray(off[k] as number, off[k + 1] as number));
  }
}

/** Fixed-width values [from, from + n) of `d` into `vec` in one copy. */
function copyFixed(vec: duckdb.Vector, d: Data, from: number, n: number): void {
  const v = d.values as Int32Array | BigInt64Array | Float64Array | Float32Array;
  const w = v.BYTES_PER_ELEMENT;
  duckdb.copy_data_to_vector(vec, 0, v.buffer as ArrayBuffer, v.byteOffset + (d.offset + from) * w, n * w);
}

/** Rows [from, from + n) of one Arrow column into the chunk's vector `vec`, buffer to buffer. */
function copyColumn(t: ColumnType, vec: duckdb.Vector, d: Data, from: number, n: number): void {
  copyValidity(vec, d, from, n);
  switch (t) {
    case 'string':
      copyStrings(vec, d, from, n, d.nullCount === 0);
      return;
    case 'int':
    case 'bigint':
    case 'double':
    case 'float':
      copyFixed(vec, d, from, n);
      return;
    case 'bool': {
      const out = new Uint8Array(n);
      const bits = d.values as Uint8Array;
      for (let i = 0; i < n; i++) {
        const k = d.offset + from + i;
        out[i] = ((bits[k >> 3] as number) >> (k & 7)) & 1;
      }
      duckdb.copy_data_to_vector(vec, 0, out.buffer, 0, n);
      return;
    }
    case 'list<string>':
    case 'list<float>': {
      const off = d.valueOffsets as Int32Array;
      const first = off[d.offset + from] as number;
      const total = (off[d.offset + from + n] as number) - first;
      const entries = new BigUint64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const k = d.offset + from + i;
        entries[2 * i] = BigInt((off[k] as number) - first);
        entries[2 * i + 1] = BigInt((off[k + 1] as number) - (off[k] as number));
      }
      duckdb.list_vector_reserve(vec, total);
      duckdb.list_vector_set_size(vec, total);
      duckdb.copy_data_to_vector(vec, 0, entries.buffer, 0, entries.byteLength);
      const child = duckdb.list_vector_get_child(vec);
      const items = d.children[0] as Data;
      if (t === 'list<string>') copyStrings(child, items, first, total, true);
      else copyFixed(child, items, first, total);
      return;
    }
  }
}

/** Writes an Arrow table built by `rowsToArrow` for `table` to `outPath`. */
export async function writeArrowTable(table: TableDef, arrow: Table, outPath: string): Promise<void> {
  const conn = await connection();
  const tmp = `part_${table.name}_${process.pid}_${randomBytes(6).toString('hex')}`;
  const columns = table.columns.map((c) => `${sqlIdent(c.name)} ${duckdbType(c.type)}`).join(', ');
  try {
    await conn.run(`CREATE TEMP TABLE ${sqlIdent(tmp)} (${columns})`);
    const types = table.columns.map((c) => chunkType(c.type));
    const cols = table.columns.map((c) => {
      const v = arrow.getChild(c.name);
      if (!v) throw new Error(`${table.name}.${c.name}: column missing from the Arrow table`);
      if (v.data.length > 1) throw new Error(`${table.name}.${c.name}: one record batch expected`);
      // the copy reads raw buffers, so the layout must be the one rowsToArrow builds
      if (String(v.type) !== String(arrowType(c.type)))
        throw new Error(`${table.name}.${c.name}: Arrow type ${v.type} is not ${arrowType(c.type)}`);
      return v;
    });
    const appender = await conn.createAppender(tmp, 'main', 'temp');
    try {
      for (let from = 0; from < arrow.numRows; from += CHUNK_ROWS) {
        const to = Math.min(arrow.numRows, from + CHUNK_ROWS);
        const chunk = DuckDBDataChunk.create(types, to - from);
        for (const [j, c] of table.columns.entries()) {
          const vec = duckdb.data_chunk_get_vector(chunk.chunk, j);
          copyColumn(c.type, vec, (cols[j] as Vector).data[0] as Data, from, to - from);
        }
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await conn.run(`COPY ${sqlIdent(tmp)} TO ${sqlString(outPath)} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    try {
      await conn.run(`DROP TABLE IF EXISTS temp.main.${sqlIdent(tmp)}`);
    } finally {
      conn.closeSync();
    }
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
