/** SQL over the lake: views over every table, research-score presets, Athena DDL, result formatting. */
export { type AthenaDdlOptions, athenaDdl, athenaTableDdl, validateAthenaOptions } from './athena-ddl.js';
export { formatRows, type OutputFormat } from './format.js';
export { LakeQuery } from './lake-query.js';
export {
  DERIVED_VIEWS,
  firmThemeSentimentSql,
  SENTENCES_WITH_THEMES,
  SENTENCES_WITH_THEMES_SQL,
  themeSentimentSql,
} from './research-scores.js';
export { registerLakeViews } from './views.js';
