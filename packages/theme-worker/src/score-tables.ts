/**
 * The two research-score tables of a quarter, computed once its themes and every partition's sentiment labels
 * are in the lake: `theme_sentiment` and `firm_theme_sentiment`, each one file per quarter (atomic replace), from
 * the same SQL the query presets run (common/query research-scores), so the stored and the ad-hoc scores agree.
 */
import { rm } from 'node:fs/promises';
import {
  type LakeStore,
  partitionPrefix,
  type Row,
  scratchFile,
  TABLES,
  writeParquet,
} from '@callthemes/common/lake';
import { firmThemeSentimentSql, LakeQuery, themeSentimentSql } from '@callthemes/common/query';

export type ScoreTable = 'theme_sentiment' | 'firm_theme_sentiment';

export const scoreTableKey = (table: ScoreTable, quarter: string) =>
  `${partitionPrefix(table, quarter)}scores.parquet`;

const counts = (r: Record<string, unknown>) => ({
  n_sentences: Number(r.total),
  n_positive: Number(r.positive),
  n_negative: Number(r.negative),
  n_neutral: Number(r.neutral),
  score: Number(r.sentiment),
});

export async function writeScoreTables(
  store: LakeStore,
  quarter: string,
): Promise<{ themes: number; firmThemes: number }> {
  const q = await LakeQuery.open(store);
  let themeRows: Row[];
  let firmRows: Row[];
  try {
    themeRows = (await q.rows(themeSentimentSql(quarter))).map((r) => ({
      theme_id: r.theme_id,
      theme_name: r.theme_name,
      n_firms: Number(r.firms),
      ...counts(r),
    }));
    firmRows = (await q.rows(firmThemeSentimentSql(quarter))).map((r) => ({
      theme_id: r.theme_id,
      theme_name: r.theme_name,
      firm_id: r.firm_id,
      ...counts(r),
    }));
  } finally {
    q.close();
  }
  const scratch = await store.scratchDir();
  for (const [table, rows] of [
    ['theme_sentiment', themeRows],
    ['firm_theme_sentiment', firmRows],
  ] as const) {
    const tmp = scratchFile(scratch, `${table}-${quarter}`);
    try {
      await writeParquet(TABLES[table], rows, tmp);
      await store.putFile(scoreTableKey(table, quarter), tmp);
    } finally {
      await rm(tmp, { force: true });
    }
  }
  return { themes: themeRows.length, firmThemes: firmRows.length };
}
