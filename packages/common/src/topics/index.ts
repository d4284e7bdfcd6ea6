/** The per-firm topic model (fitFirmTopics), its analyzer on the FirmAnalyzer seam, and stop words. */
export * from './analyzer.js';
export * from './firm-analysis.js';
export * from './firm-model.js';
export * from './stop-words.js';
