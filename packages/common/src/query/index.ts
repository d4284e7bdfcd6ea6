/** SQL over the lake: views over every table, research-score presets, Athena DDL, result formatting. */
export * from './athena-ddl.js';
export * from './format.js';
export * from './lake-query.js';
export * from './research-scores.js';
export * from './views.js';
