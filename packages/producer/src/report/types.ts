/**
 * What the HTML report embeds as JSON: the chosen quarters' themes, their member topics grouped by firm, the
 * two research scores and the lineage links. Firms are listed once and referenced by index to keep a
 * 5,000-firm quarter small. Every string here may come from transcript text: the page only ever renders it
 * as text, never as markup.
 */

/** Sentence label counts and the score (#positive − #negative) / #labelled of the research-score presets. */
export interface SentimentCounts {
  positive: number;
  negative: number;
  neutral: number;
  total: number;
  score: number;
}

export interface ReportFirm {
  id: string;
  name: string | null;
}

export interface ReportTopic {
  id: string;
  /** Index into `ReportData.firms`. */
  firm: number;
  name: string;
  keywords: string[];
  /** Sentences in the topic. */
  size: number;
  /** Cosine of the topic and theme centroids. */
  similarity: number;
  /** Representative sentences: text and sentiment label (null when unlabelled). */
  sentences: [text: string, label: string | null][];
}

export interface ReportFirmSentiment extends SentimentCounts {
  /** Index into `ReportData.firms`. */
  firm: number;
}

export interface ReportTheme {
  id: string;
  quarter: string;
  name: string;
  nameSource: string;
  keywords: string[];
  description: string | null;
  nTopics: number;
  nFirms: number;
  dominance: number;
  /** Theme sentiment; null when no member sentence has a label. */
  sentiment: SentimentCounts | null;
  /** Member topics, most similar to the theme first. */
  topics: ReportTopic[];
  /** Firm-within-theme sentiment, firms with the most labelled sentences first. */
  firmSentiment: ReportFirmSentiment[];
}

export interface ReportLink {
  from: string;
  to: string;
  /** Quarter of the `to` theme (the partition the link is stored in). */
  quarter: string;
  similarity: number;
}

export interface ReportQuarter {
  quarter: string;
  firms: number;
  topics: number;
  themedTopics: number;
  themes: number;
  labelledSentences: number;
}

export interface ReportData {
  format: 1;
  title: string;
  generatedAt: string;
  quarters: ReportQuarter[];
  firms: ReportFirm[];
  themes: ReportTheme[];
  links: ReportLink[];
}
