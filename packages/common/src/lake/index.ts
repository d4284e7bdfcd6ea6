/** The Parquet lake: layout and names, schemas, DuckDB, batch writers and manifests, local and S3 stores. */

export { duckdbExtensionDir, openDuckDB, openDuckDBFor, queryRows, sqlIdent, sqlString } from './duckdb.js';
export { type FloatListChunk, forEachFloatListChunk } from './float-lists.js';
export { manifestKey, pad4, partitionPrefix, partitionStem, partKey, rejectsKey, runKey } from './layout.js';
export { ensureQuarterLayout, layoutKey } from './layout-guard.js';
export { scratchFile, validateRow, writeParquet, writeParquetNdjson } from './parquet.js';
export {
  type PartitionManifest,
  PartitionWriter,
  type PartitionWriterOptions,
  type RejectRow,
  readManifest,
} from './partition-writer.js';
export { prunePartitionsFrom, writeListingRejects } from './quarter-upkeep.js';
export {
  DEFAULT_PART_SIZE,
  endpointFromEnv,
  parseS3Url,
  S3LakeStore,
  type S3LakeStoreOptions,
  type S3Location,
  s3ClientFromEnv,
} from './s3-store.js';
export {
  athenaType,
  type ColumnDef,
  type ColumnType,
  duckdbType,
  type Row,
  TABLE_NAMES,
  TABLES,
  type TableDef,
  type TableName,
} from './schema.js';
export {
  type LakeStore,
  LocalLakeStore,
  openStore,
  putTextAt,
  registerStore,
  type StoreFactory,
} from './store.js';
