/**
 * What must be equal between the rehearsal's S3 lake and a local run's folder lake: per quarter the firm ids,
 * sentence and topic ids (count and digest), theme counts, the theme score rows, and the firm-within-theme score
 * rows (count and digest). Read through DuckDB (httpfs for the S3 lake).
 */
import { type LakeStore, openStore } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';

export type LakeSummary = Record<string, string>;

const CHECKS: [string, string][] = [
  [
    'firms',
    `SELECT quarter, string_agg(firm_id, ',' ORDER BY firm_id) AS v FROM firms GROUP BY 1 ORDER BY 1`,
  ],
  [
    'sentences',
    `SELECT quarter, count(*) || ' ' || md5(string_agg(sentence_id, ',' ORDER BY sentence_id)) AS v FROM sentences GROUP BY 1 ORDER BY 1`,
  ],
  [
    'topics',
    `SELECT quarter, count(*) || ' ' || md5(string_agg(topic_id, ',' ORDER BY topic_id)) AS v FROM topics GROUP BY 1 ORDER BY 1`,
  ],
  ['themes', `SELECT quarter, count(*)::VARCHAR AS v FROM themes GROUP BY 1 ORDER BY 1`],
  [
    'theme_sentiment',
    `SELECT quarter, count(*) || ' ' || md5(string_agg(theme_id || ':' || n_sentences || ':' || n_positive || ':' || n_negative, ',' ORDER BY theme_id)) AS v FROM theme_sentiment GROUP BY 1 ORDER BY 1`,
  ],
  [
    'firm_theme_sentiment',
    `SELECT quarter, count(*) || ' ' || md5(string_agg(theme_id || ':' || firm_id || ':' || n_sentences || ':' || n_positive || ':' || n_negative, ',' ORDER BY theme_id, firm_id)) AS v FROM firm_theme_sentiment GROUP BY 1 ORDER BY 1`,
  ],
];

export async function summarizeLake(lake: string | LakeStore): Promise<LakeSummary> {
  const q = await LakeQuery.open(typeof lake === 'string' ? openStore(lake) : lake);
  try {
    const out: LakeSummary = {};
    for (const [name, sql] of CHECKS)
      for (const r of await q.rows(sql)) out[`${name} ${r.quarter}`] = String(r.v);
    return out;
  } finally {
    q.close();
  }
}

/** One line per difference ("topics 2021Q1: 310 ab12… vs 309 cd34…"), empty when equal. */
export function lakeDifferences(got: LakeSummary, want: LakeSummary): string[] {
  const keys = [...new Set([...Object.keys(got), ...Object.keys(want)])].sort();
  const short = (v: string | undefined) =>
    v === undefined ? 'nothing' : v.length > 48 ? `${v.slice(0, 45)}…` : v;
  return keys
    .filter((k) => got[k] !== want[k])
    .map((k) => `${k}: ${short(got[k])} on S3 vs ${short(want[k])} locally`);
}

/** Counts to print: "2021Q1: 31 firms, 2,345 sentences, 310 topics, 12 themes". */
export function describeQuarters(s: LakeSummary): string[] {
  const quarters = [...new Set(Object.keys(s).map((k) => k.split(' ')[1]))].sort();
  const n = (k: string) => Number((s[k] ?? '0').split(' ')[0]);
  return quarters.map(
    (q) =>
      `${q}: ${(s[`firms ${q}`] ?? '').split(',').filter(Boolean).length} firms, ${n(`sentences ${q}`)} sentences, ` +
      `${n(`topics ${q}`)} topics, ${n(`themes ${q}`)} themes, ${n(`theme_sentiment ${q}`)} theme score rows`,
  );
}
