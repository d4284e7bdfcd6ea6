/**
 * Athena / Glue DDL for every lake table, generated from the same schema definitions as the Parquet
 * writer and the DuckDB views (lake/schema.ts). Tables are external Parquet tables partitioned by
 * `quarter`, with partition projection so no crawler or MSCK REPAIR is needed: Athena derives each
 * partition's S3 location from the quarter. Quarters are an enum projection over a range the caller
 * chooses (a few dozen values, as AWS recommends); a query naming a quarter outside it finds nothing.
 */
import { athenaType, TABLE_NAMES, TABLES, type TableDef } from '../lake/schema.js';
import { DERIVED_VIEWS } from './research-scores.js';

export interface AthenaDdlOptions {
  /** Glue database name. */
  database: string;
  /** The lake root on S3: `s3://bucket/prefix`. */
  location: string;
  /** Quarter labels the projection enumerates. */
  quarters: readonly string[];
}

const IDENT_RE = /^[a-z_][a-z0-9_]*$/;

export function validateAthenaOptions(o: AthenaDdlOptions): void {
  if (!IDENT_RE.test(o.database))
    throw new Error(`invalid database name "${o.database}": lower-case letters, digits and _ only`);
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^'\\\s]*)?$/.test(o.location))
    throw new Error(`invalid location "${o.location}": expected s3://bucket/prefix`);
  if (o.quarters.length === 0) throw new Error('no quarters for the partition projection');
}

/** `'…'` literal for Hive DDL; quotes and backslashes are replaced, not escaped. */
function literal(text: string): string {
  return `'${text.replace(/\\/g, '/').replace(/'/g, '’')}'`;
}

/** A column or table comment: Glue keeps at most 255 characters. */
function comment(text: string): string {
  return literal(text.slice(0, 255));
}

function tableRoot(o: AthenaDdlOptions, table: string): string {
  return `${o.location.replace(/\/+$/, '')}/${table}/`;
}

export function athenaTableDdl(table: TableDef, o: AthenaDdlOptions): string {
  const cols = table.columns.map((c) => `  \`${c.name}\` ${athenaType(c.type)} COMMENT ${comment(c.doc)}`);
  const root = tableRoot(o, table.name);
  const props: [string, string][] = [
    ['projection.enabled', 'true'],
    [`projection.${table.partitionKey}.type`, 'enum'],
    [`projection.${table.partitionKey}.values`, o.quarters.join(',')],
    ['storage.location.template', `${root}${table.partitionKey}=\${${table.partitionKey}}/`],
    ['parquet.compression', 'ZSTD'],
  ];
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS \`${o.database}\`.\`${table.name}\` (`,
    cols.join(',\n'),
    `)`,
    `COMMENT ${comment(table.doc)}`,
    `PARTITIONED BY (\`${table.partitionKey}\` string)`,
    `STORED AS PARQUET`,
    `LOCATION ${literal(root)}`,
    `TBLPROPERTIES (`,
    props.map(([k, v]) => `  ${literal(k)} = ${literal(v)}`).join(',\n'),
    `)`,
  ].join('\n');
}

/**
 * Every statement, in order: the database, one table per lake table, then the derived views (the same
 * SQL text DuckDB runs; run them with the database as the query context).
 */
export function athenaDdl(o: AthenaDdlOptions): string[] {
  validateAthenaOptions(o);
  return [
    `CREATE DATABASE IF NOT EXISTS \`${o.database}\``,
    ...TABLE_NAMES.map((name) => athenaTableDdl(TABLES[name], o)),
    ...DERIVED_VIEWS,
  ];
}
