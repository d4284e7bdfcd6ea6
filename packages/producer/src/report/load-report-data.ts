/**
 * Reads the report's data from the lake through DuckDB views: themes, member topics with representative
 * sentences, the research-score presets (theme and firm-within-theme sentiment, reused as they are) and the
 * lineage links of the chosen quarters.
 */

import type { LakeStore } from '@callthemes/common/lake';
import { sqlString } from '@callthemes/common/lake';
import { firmThemeSentimentSql, LakeQuery, themeSentimentSql } from '@callthemes/common/query';
import type {
  ReportData,
  ReportFirm,
  ReportLink,
  ReportQuarter,
  ReportTheme,
  ReportTopic,
  SentimentCounts,
} from './types.js';

export interface ReportDataOptions {
  store: LakeStore;
  /** Validated `YYYYQn` labels, in order. */
  quarters: readonly string[];
  /** Representative sentences kept per topic (default 3). */
  sentencesPerTopic?: number;
  /** Longer representative sentences are cut to this many characters (default 400). */
  maxSentenceChars?: number;
  title?: string;
  /** An open query over the same lake, when the caller has one. */
  query?: LakeQuery;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function counts(r: Record<string, unknown>): SentimentCounts {
  return {
    positive: num(r.positive),
    negative: num(r.negative),
    neutral: num(r.neutral),
    total: num(r.total),
    score: num(r.sentiment),
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

export async function loadReportData(o: ReportDataOptions): Promise<ReportData> {
  const perTopic = o.sentencesPerTopic ?? 3;
  const maxChars = o.maxSentenceChars ?? 400;
  if (!Number.isInteger(perTopic) || perTopic < 0) throw new Error(`invalid sentencesPerTopic ${perTopic}`);
  for (const q of o.quarters) if (!/^\d{4}Q[1-4]$/.test(q)) throw new Error(`invalid quarter "${q}"`);
  const query = o.query ?? (await LakeQuery.open(o.store));
  try {
    const inQuarters = `quarter IN (${o.quarters.map(sqlString).join(', ')})`;

    const firmRows = await query.rows(
      `SELECT firm_id, arg_max(firm_name, quarter) AS firm_name FROM firms WHERE ${inQuarters}
       GROUP BY firm_id ORDER BY firm_id`,
    );
    const firms: ReportFirm[] = firmRows.map((r) => ({ id: str(r.firm_id), name: strOrNull(r.firm_name) }));
    const firmIndex = new Map(firms.map((f, i) => [f.id, i]));
    // Topics of firms absent from `firms` (a lake written piecemeal) still get a firm entry.
    const firmOf = (id: string): number => {
      let i = firmIndex.get(id);
      if (i === undefined) {
        i = firms.push({ id, name: null }) - 1;
        firmIndex.set(id, i);
      }
      return i;
    };

    const themeRows = await query.rows(
      `SELECT quarter, theme_id, name, name_source, keywords, description, n_topics, n_firms, dominance
       FROM themes WHERE ${inQuarters} ORDER BY quarter, n_topics DESC, theme_id`,
    );
    const themes: ReportTheme[] = themeRows.map((r) => ({
      id: str(r.theme_id),
      quarter: str(r.quarter),
      name: str(r.name),
      nameSource: str(r.name_source),
      keywords: strings(r.keywords),
      description: strOrNull(r.description),
      nTopics: num(r.n_topics),
      nFirms: num(r.n_firms),
      dominance: num(r.dominance),
      sentiment: null,
      topics: [],
      firmSentiment: [],
    }));
    const byId = new Map(themes.map((t) => [`${t.quarter}\u0000${t.id}`, t]));
    const themeOf = (quarter: unknown, id: unknown) => byId.get(`${str(quarter)}\u0000${str(id)}`);

    for (const q of o.quarters) {
      for (const r of await query.rows(themeSentimentSql(q))) {
        const t = themeOf(r.quarter, r.theme_id);
        if (t) t.sentiment = counts(r);
      }
      for (const r of await query.rows(firmThemeSentimentSql(q))) {
        const t = themeOf(r.quarter, r.theme_id);
        if (t) t.firmSentiment.push({ firm: firmOf(str(r.firm_id)), ...counts(r) });
      }
    }

    const memberRows = await query.rows(
      `SELECT tt.quarter, tt.theme_id, tt.topic_id, tt.similarity, t.firm_id, t.name, t.keywords, t.size,
              t.representative_sentence_ids AS reps
       FROM topic_themes tt JOIN topics t ON t.topic_id = tt.topic_id AND t.quarter = tt.quarter
       WHERE tt.${inQuarters}
       ORDER BY tt.quarter, tt.theme_id, tt.similarity DESC, tt.topic_id`,
    );
    const sentenceText = new Map<string, [string, string | null]>();
    if (perTopic > 0) {
      const rows = await query.rows(
        `WITH reps AS (
           SELECT DISTINCT t.quarter, unnest(t.representative_sentence_ids[1:${perTopic}]) AS sentence_id
           FROM topics t JOIN topic_themes tt ON tt.topic_id = t.topic_id AND tt.quarter = t.quarter
           WHERE t.${inQuarters})
         SELECT r.quarter, r.sentence_id, s.text, ss.label
         FROM reps r JOIN sentences s ON s.sentence_id = r.sentence_id AND s.quarter = r.quarter
         LEFT JOIN sentence_sentiment ss ON ss.sentence_id = r.sentence_id AND ss.quarter = r.quarter`,
      );
      for (const r of rows)
        sentenceText.set(`${str(r.quarter)}\u0000${str(r.sentence_id)}`, [
          clip(str(r.text), maxChars),
          strOrNull(r.label),
        ]);
    }
    for (const r of memberRows) {
      const t = themeOf(r.quarter, r.theme_id);
      if (!t) continue;
      const sentences: ReportTopic['sentences'] = [];
      for (const id of strings(r.reps).slice(0, perTopic)) {
        const s = sentenceText.get(`${str(r.quarter)}\u0000${id}`);
        if (s) sentences.push(s);
      }
      t.topics.push({
        id: str(r.topic_id),
        firm: firmOf(str(r.firm_id)),
        name: str(r.name),
        keywords: strings(r.keywords),
        size: num(r.size),
        similarity: num(r.similarity),
        sentences,
      });
    }

    const links: ReportLink[] = (
      await query.rows(
        `SELECT from_theme_id, to_theme_id, quarter, similarity FROM theme_links WHERE ${inQuarters}
         ORDER BY quarter, to_theme_id, similarity DESC, from_theme_id`,
      )
    ).map((r) => ({
      from: str(r.from_theme_id),
      to: str(r.to_theme_id),
      quarter: str(r.quarter),
      similarity: num(r.similarity),
    }));

    const quarters = await quarterSummaries(query, o.quarters, themes);
    return {
      format: 1,
      title:
        o.title ??
        `callthemes · themes ${o.quarters[0]}${o.quarters.length > 1 ? `–${o.quarters.at(-1)}` : ''}`,
      generatedAt: new Date().toISOString(),
      quarters,
      firms,
      themes,
      links,
    };
  } finally {
    if (!o.query) query.close();
  }
}

async function quarterSummaries(
  query: LakeQuery,
  quarters: readonly string[],
  themes: readonly ReportTheme[],
): Promise<ReportQuarter[]> {
  const inQuarters = `quarter IN (${quarters.map(sqlString).join(', ')})`;
  const countBy = async (sql: string): Promise<Map<string, number>> =>
    new Map((await query.rows(sql)).map((r) => [str(r.quarter), num(r.n)]));
  const firms = await countBy(
    `SELECT quarter, count(*) AS n FROM firms WHERE ${inQuarters} GROUP BY quarter`,
  );
  const topics = await countBy(
    `SELECT quarter, count(*) AS n FROM topics WHERE ${inQuarters} GROUP BY quarter`,
  );
  const themed = await countBy(
    `SELECT quarter, count(*) AS n FROM topic_themes WHERE ${inQuarters} GROUP BY quarter`,
  );
  const labelled = await countBy(
    `SELECT quarter, count(*) AS n FROM sentence_sentiment WHERE ${inQuarters} GROUP BY quarter`,
  );
  return quarters.map((q) => ({
    quarter: q,
    firms: firms.get(q) ?? 0,
    topics: topics.get(q) ?? 0,
    themedTopics: themed.get(q) ?? 0,
    themes: themes.filter((t) => t.quarter === q).length,
    labelledSentences: labelled.get(q) ?? 0,
  }));
}
