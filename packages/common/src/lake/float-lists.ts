/**
 * Reads a query's FLOAT[] column chunk by chunk as typed views of DuckDB's own vectors, never as arrays of JS
 * numbers: the result streams (DuckDB holds one chunk of ~2,048 rows at a time) and each row's values are a
 * `Float32Array` view of the chunk's child vector, valid only during the callback (copy what you keep).
 * `getColumnsJS()` on 125k rows × 4096 floats made half a billion JS numbers and ran V8 out of heap at 10 GB.
 * The views come through @duckdb/node-bindings (node-api keeps its vectors' buffers private); the list entries
 * are `{offset, length}` pairs of uint64, the validity masks one bit per row (absent when all are valid).
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBVector } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';

export interface FloatListChunk {
  rows: number;
  /** Another column of the chunk (node-api's vector: `getItem(row)`). */
  column(index: number): DuckDBVector;
  /** Row r's values (a view into the chunk), or null when the list itself is NULL. */
  values(r: number): Float32Array | null;
  /** Whether row r's list holds a NULL item (its view then has 0 in that place). */
  hasNullItem(r: number): boolean;
}

/**
 * Streams `sql`, whose column `listColumn` must be FLOAT[] (cast it in the query: `centroid::FLOAT[]`), and
 * calls `onChunk` for each chunk in result order.
 */
export async function forEachFloatListChunk(
  conn: DuckDBConnection,
  sql: string,
  listColumn: number,
  onChunk: (chunk: FloatListChunk) => void,
): Promise<void> {
  const result = await conn.stream(sql);
  const type = result.columnType(listColumn).toString();
  if (type !== 'FLOAT[]') throw new Error(`column ${listColumn} is ${type}, expected FLOAT[]`);
  for (;;) {
    const chunk: DuckDBDataChunk | null = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    onChunk(floatListChunk(chunk, listColumn));
  }
}

function floatListChunk(chunk: DuckDBDataChunk, listColumn: number): FloatListChunk {
  const rows = chunk.rowCount;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, listColumn);
  const entryBytes = duckdb.vector_get_data(vector, rows * 16);
  const entries = new BigUint64Array(entryBytes.buffer, entryBytes.byteOffset, rows * 2);
  const rowValid = validity(vector, rows);
  const child = duckdb.list_vector_get_child(vector);
  const size = duckdb.list_vector_get_size(vector);
  const childBytes = duckdb.vector_get_data(child, size * 4);
  const items = new Float32Array(childBytes.buffer, childBytes.byteOffset, size);
  const itemValid = validity(child, size);
  return {
    rows,
    column: (index) => chunk.getColumnVector(index),
    values(r) {
      if (rowValid && !bit(rowValid, r)) return null;
      const offset = Number(entries[2 * r]);
      return items.subarray(offset, offset + Number(entries[2 * r + 1]));
    },
    hasNullItem(r) {
      if (!itemValid || (rowValid && !bit(rowValid, r))) return false;
      const offset = Number(entries[2 * r]);
      const end = offset + Number(entries[2 * r + 1]);
      for (let k = offset; k < end; k++) if (!bit(itemValid, k)) return true;
      return false;
    },
  };
}

function validity(vector: duckdb.Vector, count: number): Uint8Array | null {
  // A null pointer (every row valid) arrives as null.
  return (duckdb.vector_get_validity(vector, Math.ceil(count / 64) * 8) as Uint8Array | null) ?? null;
}

function bit(mask: Uint8Array, i: number): boolean {
  return (mask[i >> 3] & (1 << (i & 7))) !== 0;
}
