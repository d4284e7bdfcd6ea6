/** Sentence sentiment labels: the offline finance lexicon, a served classifier, and their evaluation. */
export {
  type ClassMetrics,
  type Evaluation,
  evaluate,
  halfOf,
  type LabelledSentence,
  parseAtLabelled,
} from './evaluate.js';
export {
  CLASSIFY_APIS,
  type ClassifyApi,
  HttpClassifier,
  type HttpClassifierOptions,
} from './http-classifier.js';
export { LEXICON_MODEL, LexiconClassifier, type LexiconOptions } from './lexicon-classifier.js';
export {
  LocalServiceCalls,
  type LocalServiceCallsOptions,
  parseRetryAfter,
  RetryableError,
  type ServiceCalls,
} from './service-calls.js';
export {
  SENTIMENT_LABELS,
  type SentimentClassifier,
  type SentimentLabel,
  type SentimentResult,
  STANDARD_LABELS,
} from './types.js';
export { vaderLexicon, vaderLexiconPath } from './vader-lexicon.js';
