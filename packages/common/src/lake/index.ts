/** The Parquet lake: layout and names, schemas, DuckDB, batch writers and manifests, local and S3 stores. */

export * from './duckdb.js';
export * from './float-lists.js';
export * from './layout.js';
export * from './layout-guard.js';
export * from './parquet.js';
export * from './partition-writer.js';
export * from './quarter-upkeep.js';
export * from './s3-store.js';
export * from './schema.js';
export * from './store.js';
