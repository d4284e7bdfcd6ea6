/** The firm worker: the partition handler (createWorker) and the firm and sentence-sentiment stages it runs. */
export {
  FIRM_STAGE,
  type FirmEvent,
  type FirmStageOptions,
  type FirmStageResult,
  runFirmStage,
} from './firm-stage.js';
export {
  type PartitionStageOptions,
  type PartitionStageResult,
  SENTIMENT_STAGE,
} from './partition-stage.js';
export {
  createWorker,
  type FirmWorker,
  type FirmWorkerDeps,
  partitionFingerprint,
} from './partition-worker.js';
export {
  runSentimentStage,
  type SentimentFirmEvent,
  type SentimentStageOptions,
  type SentimentStageResult,
  sentimentFirms,
} from './sentiment-stage.js';
