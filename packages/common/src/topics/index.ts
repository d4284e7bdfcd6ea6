/** The per-firm topic model (fitFirmTopics), its analyzer on the FirmAnalyzer seam, and stop words. */
export {
  createTopicAnalyzer,
  embeddingTexts,
  type FirmTimings,
  type TopicAnalyzerOptions,
  topicId,
} from './analyzer.js';
export type { FirmAnalysis, FirmAnalyzer } from './firm-analysis.js';
export {
  DEFAULT_FIRM_TOPIC_OPTIONS,
  dropTopics,
  type FirmTopic,
  type FirmTopicOptions,
  type FirmTopicResult,
  type FirmTopicTimings,
  fitFirmTopics,
  reassignOutliers,
  relabelBySize,
  resolveMinClusterSize,
  type TermEmbedder,
} from './firm-model.js';
export { CALL_STOP_WORDS, callStopWords, ENGLISH_STOP_WORDS, QA_DISCOURSE_WORDS } from './stop-words.js';
