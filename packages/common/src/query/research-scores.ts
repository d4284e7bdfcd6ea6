/**
 * The two research scores (DESIGN "Research scores") as SQL whose text runs unchanged on DuckDB and Athena
 * (Trino): only ANSI joins, CASE, CAST, COUNT/SUM and a view.
 *   theme sentiment(q, theme)            = (#positive − #negative) / #sentences over the theme's topics
 *   firm-within-theme sentiment(q, theme, firm) = the same over that firm's sentences in the theme
 * Only sentences that have a label count, so positive + negative + neutral = total always holds and a theme
 * without labelled sentences has no row (never a division by zero).
 */

export const SENTENCES_WITH_THEMES = 'sentences_with_themes';

/** Every sentence of a topic that belongs to a theme, with its theme and (when labelled) its sentiment. */
export const SENTENCES_WITH_THEMES_SQL = `CREATE OR REPLACE VIEW ${SENTENCES_WITH_THEMES} AS
SELECT
  s.quarter,
  tt.theme_id,
  th.name AS theme_name,
  s.firm_id,
  s.topic_id,
  s.sentence_id,
  s.position,
  s.section,
  s.speaker_role,
  s.text,
  ss.label,
  ss.score AS label_score,
  ss.model AS label_model
FROM sentences s
JOIN topic_themes tt ON tt.topic_id = s.topic_id AND tt.quarter = s.quarter
JOIN themes th ON th.theme_id = tt.theme_id AND th.quarter = tt.quarter
LEFT JOIN sentence_sentiment ss ON ss.sentence_id = s.sentence_id AND ss.quarter = s.quarter`;

/** Views built on the lake tables, in creation order. */
export const DERIVED_VIEWS: readonly string[] = [SENTENCES_WITH_THEMES_SQL];

const COUNTS = `SUM(CASE WHEN label = 'positive' THEN 1 ELSE 0 END) AS positive,
  SUM(CASE WHEN label = 'negative' THEN 1 ELSE 0 END) AS negative,
  SUM(CASE WHEN label = 'neutral' THEN 1 ELSE 0 END) AS neutral,
  COUNT(*) AS total,
  CAST(SUM(CASE WHEN label = 'positive' THEN 1 WHEN label = 'negative' THEN -1 ELSE 0 END) AS DOUBLE)
    / COUNT(*) AS sentiment`;

/** `quarter` must already be a validated `YYYYQn` label (it is inlined). */
function where(quarter: string | undefined): string {
  if (quarter !== undefined && !/^\d{4}Q[1-4]$/.test(quarter))
    throw new Error(`invalid quarter "${quarter}"`);
  return `WHERE label IS NOT NULL${quarter ? ` AND quarter = '${quarter}'` : ''}`;
}

/** One row per (quarter, theme): counts and the theme sentiment, largest themes first. */
export function themeSentimentSql(quarter?: string): string {
  return `SELECT
  quarter,
  theme_id,
  theme_name,
  COUNT(DISTINCT firm_id) AS firms,
  ${COUNTS}
FROM ${SENTENCES_WITH_THEMES}
${where(quarter)}
GROUP BY quarter, theme_id, theme_name
ORDER BY quarter, total DESC, theme_id`;
}

/** One row per (quarter, theme, firm): counts and the firm-within-theme sentiment. */
export function firmThemeSentimentSql(quarter?: string): string {
  return `SELECT
  quarter,
  theme_id,
  theme_name,
  firm_id,
  ${COUNTS}
FROM ${SENTENCES_WITH_THEMES}
${where(quarter)}
GROUP BY quarter, theme_id, theme_name, firm_id
ORDER BY quarter, theme_id, total DESC, firm_id`;
}
