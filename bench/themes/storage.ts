/**
 * What the lake keeps for a quarter's `topics` at the served embedder's width, and what reading it costs:
 * the quarter's Parquet bytes in three layouts, and the bytes an Athena query scans (Athena bills the
 * compressed bytes of the columns a query reads, per column chunk), measured from the files' own metadata.
 *
 * Layouts, each written from the same topics with the lake's writer settings (zstd):
 * - full: `centroid` at the full width D (what the lake keeps today);
 * - prefix k: `centroid` cut to its first k values (a Matryoshka prefix, what `embedDimensions` = k asks the
 *   embedder for);
 * - beside k: full `centroid` plus a `centroid_k` column with the prefix, the theme stage reading only that.
 * The values of a generated lake are lifted, not real 4096-d embeddings; float32 values compress little
 * either way, so the byte counts carry over (the quality of a prefix does not: see BENCHMARKS.md).
 *
 *   node --import @callthemes/common/register-source bench/themes/storage.ts --lake <scale-lake-4096> --quarter 2031Q1 [--prefixes 1024,256]
 */
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDuckDB, queryRows, sqlString } from '@callthemes/common/lake';

const { values } = parseArgs({
  options: {
    lake: { type: 'string' },
    quarter: { type: 'string', default: '2031Q1' },
    prefixes: { type: 'string', default: '1024,256' },
  },
});
const conn = await openDuckDB();
const source = sqlString(join(values.lake!, 'topics', `quarter=${values.quarter}`, '*.parquet'));
const scratch = join(tmpdir(), `callthemes-storage-${process.pid}`);

/** Compressed bytes per top-level column of the files matching `glob`. */
async function columnBytes(glob: string): Promise<Map<string, number>> {
  const rows = await queryRows(
    conn,
    `SELECT split_part(path_in_schema, ',', 1) AS col, sum(total_compressed_size) AS bytes
     FROM parquet_metadata(${glob}) GROUP BY 1`,
  );
  return new Map(rows.map((r) => [String(r.col), Number(r.bytes)]));
}

const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
const sum = (m: Map<string, number>, cols?: string[]) =>
  [...m].filter(([c]) => !cols || cols.includes(c)).reduce((s, [, b]) => s + b, 0);

const [{ n, d }] = await queryRows(
  conn,
  `SELECT count(*) AS n, max(len(centroid)) AS d FROM read_parquet(${source})`,
);
const stage = ['topic_id', 'firm_id', 'size', 'keywords', 'name'];
const layouts: { name: string; glob: string; themeCols: string[] }[] = [];
await mkdir(scratch, { recursive: true });
try {
  // Every layout rewritten the same way (one file), so only the vector columns differ.
  const variants: [string, string, string[]][] = [[`full ${d}`, '*', [...stage, 'centroid']]];
  for (const k of values.prefixes!.split(',').map(Number))
    variants.push(
      [`prefix ${k}`, `* REPLACE (centroid[1:${k}] AS centroid)`, [...stage, 'centroid']],
      [`beside ${k}`, `*, centroid[1:${k}] AS centroid_${k}`, [...stage, `centroid_${k}`]],
    );
  for (const [kind, select, cols] of variants) {
    const file = join(scratch, `${kind.replace(' ', '-')}.parquet`);
    await queryRows(
      conn,
      `COPY (SELECT ${select} FROM read_parquet(${source})) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    layouts.push({ name: kind, glob: sqlString(file), themeCols: cols });
  }
  process.stdout.write(
    `${values.quarter}: ${n} topics, ${d}-d centroids\n` +
      '| layout | Parquet | Athena: SELECT * | Athena: theme stage columns | Athena: no vector column |\n|---|---|---|---|---|\n',
  );
  for (const l of layouts) {
    const bytes = await columnBytes(l.glob);
    const noVector = [...bytes.keys()].filter((c) => !c.startsWith('centroid'));
    process.stdout.write(
      `| ${l.name} | ${mb(sum(bytes))} | ${mb(sum(bytes))} | ${mb(sum(bytes, l.themeCols))} | ${mb(sum(bytes, noVector))} |\n`,
    );
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
