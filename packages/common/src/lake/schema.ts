/**
 * The lake's tables (DESIGN "Tables") as data: one definition drives the Parquet writer's column types,
 * DuckDB views and the Athena/Glue DDL. `quarter` is the Hive partition column of every table and is not
 * stored inside the files.
 */

export type ColumnType =
  | 'string'
  | 'int'
  | 'bigint'
  | 'double'
  | 'float'
  | 'bool'
  | 'list<string>'
  | 'list<float>';

export interface ColumnDef {
  name: string;
  type: ColumnType;
  nullable: boolean;
  doc: string;
}

export interface TableDef {
  name: TableName;
  doc: string;
  /** Columns stored in the Parquet files (the partition column excluded). */
  columns: ColumnDef[];
  partitionKey: 'quarter';
  primaryKey: string[];
}

export type TableName =
  | 'firms'
  | 'sentences'
  | 'topics'
  | 'themes'
  | 'topic_themes'
  | 'theme_links'
  | 'sentence_sentiment'
  | 'theme_sentiment'
  | 'firm_theme_sentiment'
  | 'rejects';

const c = (name: string, type: ColumnType, doc: string, nullable = false): ColumnDef => ({
  name,
  type,
  nullable,
  doc,
});

export const TABLES: Record<TableName, TableDef> = {
  firms: {
    name: 'firms',
    doc: 'One row per firm and quarter processed by the firm stage.',
    partitionKey: 'quarter',
    primaryKey: ['firm_id', 'quarter'],
    columns: [
      c('firm_id', 'string', 'Firm identifier (ticker for file sources, company id for Capital IQ).'),
      c('firm_name', 'string', 'Company name when the source has it.', true),
      c('ticker', 'string', 'Ticker symbol when known.', true),
      c('fiscal_quarter', 'string', 'Fiscal quarter label of the call (YYYYQn) when known.', true),
      c('call_date', 'string', 'Call date (ISO 8601) when known.', true),
      c('source', 'string', 'Source kind (ectsum, motley-json, jsonl, capiq).'),
      c('transcript_id', 'string', 'Source transcript identifier.'),
      c('n_sentences_raw', 'int', 'Sentences after splitting, before filters.'),
      c('n_sentences', 'int', 'Sentences kept after filters.'),
      c('n_dropped_operator', 'int', 'Sentences dropped: spoken by the operator.'),
      c(
        'n_dropped_safe_harbor',
        'int',
        'Sentences dropped: safe-harbor / forward-looking-statement disclaimers.',
      ),
      c('n_dropped_non_gaap', 'int', 'Sentences dropped: non-GAAP disclaimers.'),
      c('n_dropped_greeting', 'int', 'Sentences dropped: greetings, thanks and call logistics.'),
      c('n_dropped_short', 'int', 'Sentences dropped: fewer than the minimum word tokens.'),
      c('n_topics', 'int', 'Topics found for the firm (0 when topics were not computed).'),
      c('seconds', 'double', 'Wall seconds of the firm stage for this firm.'),
      c('status', 'string', 'ok, or the stage that was skipped (e.g. sentences-only).'),
      c('run_id', 'string', 'Run that wrote the row.'),
    ],
  },
  sentences: {
    name: 'sentences',
    doc: 'Kept sentences of each call, in order.',
    partitionKey: 'quarter',
    primaryKey: ['sentence_id'],
    columns: [
      c('sentence_id', 'string', '{firm_id}:{quarter}:{position}'),
      c('firm_id', 'string', 'Firm identifier.'),
      c('transcript_id', 'string', 'Source transcript identifier.'),
      c('position', 'int', '0-based position among the firm’s kept sentences.'),
      c('component_order', 'int', '0-based order of the transcript component the sentence comes from.'),
      c('section', 'string', 'prepared | qa | unknown'),
      c('speaker_name', 'string', 'Speaker name when known.', true),
      c('speaker_role', 'string', 'executive | analyst | operator | other | unknown'),
      c('text', 'string', 'Sentence text, annotations removed.'),
      c(
        'topic_id',
        'string',
        'Topic of the sentence; null for outliers or when topics were not computed.',
        true,
      ),
    ],
  },
  topics: {
    name: 'topics',
    doc: 'Per-firm topics.',
    partitionKey: 'quarter',
    primaryKey: ['topic_id'],
    columns: [
      c('topic_id', 'string', '{firm_id}:{quarter}:t{n}'),
      c('firm_id', 'string', 'Firm identifier.'),
      c('size', 'int', 'Sentences in the topic.'),
      c('keywords', 'list<string>', 'Top keywords by c-TF-IDF.'),
      c('name', 'string', 'Topic name.'),
      c('name_source', 'string', 'llm | keywords | fallback'),
      c('description', 'string', 'One-sentence description (LLM names only).', true),
      c('representative_sentence_ids', 'list<string>', 'Sentences nearest the topic centroid.'),
      c('centroid', 'list<float>', 'Mean sentence embedding (for the theme stage).'),
      c('embedding_model', 'string', 'Embedding model used.'),
    ],
  },
  themes: {
    name: 'themes',
    doc: 'Cross-firm themes of a quarter.',
    partitionKey: 'quarter',
    primaryKey: ['theme_id'],
    columns: [
      c('theme_id', 'string', '{quarter}:th{n}'),
      c('name', 'string', 'Theme name.'),
      c('name_source', 'string', 'llm | keywords | fallback'),
      c('keywords', 'list<string>', 'Top keywords by c-TF-IDF over member topics.'),
      c('description', 'string', 'One-sentence description.', true),
      c('n_topics', 'int', 'Member topics.'),
      c('n_firms', 'int', 'Distinct firms among member topics.'),
      c('dominance', 'double', 'Largest share of the theme’s topics held by one firm.'),
      c('centroid', 'list<float>', 'Mean of member topic vectors.'),
    ],
  },
  topic_themes: {
    name: 'topic_themes',
    doc: 'Topic → theme assignment.',
    partitionKey: 'quarter',
    primaryKey: ['topic_id'],
    columns: [
      c('topic_id', 'string', 'Topic.'),
      c('theme_id', 'string', 'Theme.'),
      c('similarity', 'double', 'Cosine similarity of topic and theme centroids.'),
    ],
  },
  theme_links: {
    name: 'theme_links',
    doc: 'Theme lineage: links from a theme of an earlier quarter to one of this quarter.',
    partitionKey: 'quarter',
    primaryKey: ['from_theme_id', 'to_theme_id'],
    columns: [
      c('from_theme_id', 'string', 'Theme of the earlier quarter.'),
      c('to_theme_id', 'string', 'Theme of this quarter.'),
      c('similarity', 'double', 'Link strength.'),
    ],
  },
  sentence_sentiment: {
    name: 'sentence_sentiment',
    doc: 'Sentence sentiment labels.',
    partitionKey: 'quarter',
    primaryKey: ['sentence_id'],
    columns: [
      c('sentence_id', 'string', 'Sentence.'),
      c('label', 'string', 'positive | negative | neutral'),
      c('score', 'double', 'Classifier score for the label.'),
      c('model', 'string', 'Classifier used.'),
    ],
  },
  theme_sentiment: {
    name: 'theme_sentiment',
    doc: 'Theme sentiment: (#positive − #negative) / #sentences over the labelled sentences of the theme.',
    partitionKey: 'quarter',
    primaryKey: ['theme_id'],
    columns: [
      c('theme_id', 'string', 'Theme.'),
      c('theme_name', 'string', 'Theme name.'),
      c('n_firms', 'int', 'Distinct firms with labelled sentences in the theme.'),
      c('n_sentences', 'int', 'Labelled sentences in the theme.'),
      c('n_positive', 'int', 'Positive sentences.'),
      c('n_negative', 'int', 'Negative sentences.'),
      c('n_neutral', 'int', 'Neutral sentences.'),
      c('score', 'double', '(n_positive − n_negative) / n_sentences'),
    ],
  },
  firm_theme_sentiment: {
    name: 'firm_theme_sentiment',
    doc: 'Firm-within-theme sentiment: the theme sentiment over one firm’s sentences in the theme.',
    partitionKey: 'quarter',
    primaryKey: ['theme_id', 'firm_id'],
    columns: [
      c('theme_id', 'string', 'Theme.'),
      c('theme_name', 'string', 'Theme name.'),
      c('firm_id', 'string', 'Firm.'),
      c('n_sentences', 'int', 'Labelled sentences of the firm in the theme.'),
      c('n_positive', 'int', 'Positive sentences.'),
      c('n_negative', 'int', 'Negative sentences.'),
      c('n_neutral', 'int', 'Neutral sentences.'),
      c('score', 'double', '(n_positive − n_negative) / n_sentences'),
    ],
  },
  rejects: {
    name: 'rejects',
    doc: 'Inputs that could not be used, with the reason.',
    partitionKey: 'quarter',
    primaryKey: ['source_ref', 'stage'],
    columns: [
      c('source_ref', 'string', 'File, row or key that was rejected.'),
      c('firm_id', 'string', 'Firm when known.', true),
      c('stage', 'string', 'Stage that rejected it (list, fetch, firm, themes, sentiment...).'),
      c('reason', 'string', 'Why.'),
    ],
  },
};

export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

export function duckdbType(t: ColumnType): string {
  switch (t) {
    case 'string':
      return 'VARCHAR';
    case 'int':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE';
    case 'float':
      return 'FLOAT';
    case 'bool':
      return 'BOOLEAN';
    case 'list<string>':
      return 'VARCHAR[]';
    case 'list<float>':
      return 'FLOAT[]';
  }
}

/** Hive/Athena type names for Glue table DDL. */
export function athenaType(t: ColumnType): string {
  switch (t) {
    case 'string':
      return 'string';
    case 'int':
      return 'int';
    case 'bigint':
      return 'bigint';
    case 'double':
      return 'double';
    case 'float':
      return 'float';
    case 'bool':
      return 'boolean';
    case 'list<string>':
      return 'array<string>';
    case 'list<float>':
      return 'array<float>';
  }
}

export type Row = Record<string, unknown>;
