/** The sentiment seam: texts → one label per text, with the classifier's score for that label. */

export type SentimentLabel = 'positive' | 'negative' | 'neutral';

export const SENTIMENT_LABELS: readonly SentimentLabel[] = ['positive', 'negative', 'neutral'];

/** The label names classifiers answer with (FinBERT's and their short forms), lower-cased, → ours. */
export const STANDARD_LABELS: Readonly<Record<string, SentimentLabel>> = {
  positive: 'positive',
  pos: 'positive',
  negative: 'negative',
  neg: 'negative',
  neutral: 'neutral',
  neu: 'neutral',
};

export interface SentimentResult {
  label: SentimentLabel;
  /** The classifier's confidence in `label`, in [0, 1]. */
  score: number;
}

export interface SentimentClassifier {
  /** Model id recorded in `sentence_sentiment.model`. */
  readonly model: string;
  /** One result per text, in order. */
  classify(texts: readonly string[]): Promise<SentimentResult[]>;
  close?(): Promise<void>;
}
