/**
 * Writes rows of a lake table to a Parquet file (zstd) with the table's exact column types.
 *
 * `writeParquet` takes the Arrow path (arrow-parquet.ts: rows → apache-arrow Table → DuckDB data chunks →
 * appender into a temp table → `COPY … TO parquet`). `bench/lake/part-writer.ts` measured it against the
 * NDJSON path below (rows → NDJSON scratch file → `read_json` with the column types → COPY), 8 repetitions
 * × 11 alternated runs on a shared 2-core machine: Arrow/NDJSON median 0.94 wall / 0.97 CPU on a 6,518-row
 * sentences part (level: the Arrow path still makes one native call a string), 0.50 wall / 0.62 CPU on a 500-row topics
 * part with 100-d centroids; 1.5 on the 50-row firms part (a few ms: the temp table's fixed cost). Not
 * slower on the parts that matter, so Arrow is the default; the files are identical row for row
 * (test/lake/arrow-parquet.test.ts). Differences: NaN and ±Infinity stay NaN/±Infinity (JSON wrote NULL);
 * ints beyond 32 bits and list items of the wrong type are refused naming the table and column.
 * `writeParquetNdjson` stays as the tested alternative. Numbers and command: ../../BENCHMARKS.md
 * ("Lake part writer").
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeParquetArrow } from './arrow-parquet.js';
import { validateRow } from './arrow-rows.js';
import { openDuckDB, sqlString } from './duckdb.js';
import { duckdbType, type Row, type TableDef } from './schema.js';

export { validateRow };

let shared: Promise<DuckDBConnection> | undefined;

function connection(): Promise<DuckDBConnection> {
  shared ??= openDuckDB();
  return shared;
}

/** Rows → Parquet at `outPath` (the Arrow writer; see the header). */
export function writeParquet(table: TableDef, rows: readonly Row[], outPath: string): Promise<void> {
  return writeParquetArrow(table, rows, outPath);
}

/** The NDJSON writer: rows → NDJSON scratch file → DuckDB `read_json` with the column types → COPY. */
export async function writeParquetNdjson(
  table: TableDef,
  rows: readonly Row[],
  outPath: string,
): Promise<void> {
  const jsonPath = `${outPath}.${randomBytes(4).toString('hex')}.ndjson`;
  const stream = createWriteStream(jsonPath);
  try {
    for (const row of rows) {
      validateRow(table, row);
      const o: Record<string, unknown> = {};
      for (const col of table.columns) {
        const v = row[col.name];
        o[col.name] = ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : (v ?? null);
      }
      if (!stream.write(`${JSON.stringify(o)}\n`)) await once(stream, 'drain');
    }
    stream.end();
    await once(stream, 'finish');
    const columns = table.columns
      .map((c) => `${sqlString(c.name)}: ${sqlString(duckdbType(c.type))}`)
      .join(', ');
    const select = table.columns.map((c) => `"${c.name}"`).join(', ');
    const conn = await connection();
    await conn.run(
      `COPY (SELECT ${select} FROM read_json(${sqlString(jsonPath)}, format='newline_delimited', columns={${columns}}, maximum_object_size=67108864)) ` +
        `TO ${sqlString(outPath)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    stream.destroy();
    await rm(jsonPath, { force: true });
  }
}

export function scratchFile(dir: string, name: string): string {
  return join(dir, `${name}.${process.pid}.${randomBytes(6).toString('hex')}.parquet`);
}
