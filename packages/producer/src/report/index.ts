/** The offline HTML report: themes, member topics by firm, sentiment, lineage, charts and search. */
export { type BuildReportOptions, type BuildReportResult, buildReport } from './build-report.js';
export { loadReportData, type ReportDataOptions } from './load-report-data.js';
export {
  chartJsSource,
  escapeHtml,
  type ReportEmbedding,
  readEmbeddedData,
  renderReportHtml,
  scriptSafeJson,
  type ThemeDetails,
  type ThemeSummary,
} from './render-html.js';
export type {
  ReportData,
  ReportFirm,
  ReportFirmSentiment,
  ReportLink,
  ReportQuarter,
  ReportTheme,
  ReportTopic,
  SentimentCounts,
} from './types.js';
