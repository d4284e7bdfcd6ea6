/** The seam between the firm stage and a topic model: one call's kept sentences in, `topics` rows out. */
import type { Row } from '../lake/schema.js';
import type { PreparedSentence } from '../sources/prepare-sentences.js';
import type { Transcript } from '../sources/types.js';

export interface FirmAnalysis {
  /** Rows of the `topics` table for this firm. */
  topicRows: Row[];
  /** topic_id per kept sentence (same order as the sentences), null for outliers. */
  topicOfSentence: (string | null)[];
}

export type FirmAnalyzer = (transcript: Transcript, sentences: PreparedSentence[]) => Promise<FirmAnalysis>;
