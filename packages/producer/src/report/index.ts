/** The offline HTML report: themes, member topics by firm, sentiment, lineage, charts and search. */
export * from './build-report.js';
export * from './load-report-data.js';
export * from './render-html.js';
export * from './types.js';
