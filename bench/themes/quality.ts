/**
 * Theme quality on a real quarter: theme count, coverage, firms per theme, junk among the largest themes, and
 * theme NPMI (top-10 theme keywords, boolean co-occurrence within sentences, over the sentences of the
 * quarter's topics — the member topics' sentences of every theme plus those of unthemed topics). Compares
 * model variants on the same topics, including centroids + embedded keywords.
 *
 *   node --import @callthemes/common/register-source bench/themes/quality.ts --lake ./lake --quarter 2021Q2 [--detail] [--variants default,leaf,...] [--seeds 1,2,3] [--stored]
 */
import { parseArgs } from 'node:util';
import { CooccurrenceIndex, matrixFromRows, topicDiversity } from '@callthemes/common/cluster';
import { SifEmbedder } from '@callthemes/common/embed';
import { LocalLakeStore, openDuckDB, queryRows, sqlString } from '@callthemes/common/lake';
import { themeKeywordName } from '@callthemes/common/naming';
import { termsOf } from '@callthemes/common/text';
import type { ThemeModelOptions, ThemeModelResult, TopicRecord } from '@callthemes/common/themes';
import { fitThemes } from '@callthemes/common/themes';
import { CALL_STOP_WORDS } from '@callthemes/common/topics';
import { readQuarterTopics } from '@callthemes/theme-worker';
import { mean, quantile } from '../common.js';

/** Words that make a theme junk when they carry it: call logistics, greetings, Q&A mechanics, pure numbers. */
const FILLER = new Set(
  `question questions answer answers thank thanks call calls operator morning afternoon good great
  hello welcome everyone today line next analyst analysts conference presentation remarks participants
  million billion percent basis points quarter year turn details cover q&a couple topics begin moment
  hope doing excited proud people`.split(/\s+/),
);

export function isJunk(keywords: readonly string[]): boolean {
  const top = keywords.slice(0, 5);
  const filler = top.filter((k) => k.split(' ').every((w) => FILLER.has(w) || /^\d/.test(w)));
  return top.length === 0 || filler.length >= Math.ceil(top.length / 2);
}

export const VARIANTS: Record<string, ThemeModelOptions & { keywordWeight?: number }> = {
  /** What `callthemes themes` runs: the model defaults plus embedded keywords at weight 1. */
  default: { keywordWeight: 1 },
  centroids: {},
  'no-pre-pca': { keywordWeight: 1, prePcaDims: 0 },
  'no-attach': { keywordWeight: 1, attachNoiseAt: 1 },
  'no-filler': { keywordWeight: 1, fillerWords: null },
  'plain-keywords': { keywordWeight: 1, keywordMinTopics: 1 },
  kw2: { keywordWeight: 2 },
  'kw-only': { keywordWeight: 10 },
  mcs5: { keywordWeight: 1, minClusterSize: 5 },
  'umap-e50': { keywordWeight: 1, umapEpochs: 50 },
  'umap-e200': { keywordWeight: 1, umapEpochs: 200 },
  'umap-dims10': { keywordWeight: 1, dims: 10 },
  'spectral-only': { keywordWeight: 1, umapEpochs: 0 },
  pca10: { keywordWeight: 1, reduction: 'pca', dims: 10 },
  'pca10-leaf': { keywordWeight: 1, reduction: 'pca', dims: 10, selection: 'leaf' },
  'pca5-leaf': { keywordWeight: 1, reduction: 'pca', dims: 5, selection: 'leaf' },
  'no-reduction-leaf': { keywordWeight: 1, reduction: 'none', selection: 'leaf' },
  leaf: { keywordWeight: 1, selection: 'leaf' },
  /** The selection before issue 29 (excess of mass); collapses some quarters and seeds (BENCHMARKS.md). */
  eom: { keywordWeight: 1, selection: 'eom' },
  'leaf-mcs10': { keywordWeight: 1, selection: 'leaf', minClusterSize: 10 },
  'leaf-mcs12': { keywordWeight: 1, selection: 'leaf', minClusterSize: 12 },
  'leaf-ms5': { keywordWeight: 1, selection: 'leaf', minSamples: 5 },
  'attach-0.75': { keywordWeight: 1, attachNoiseAt: 0.75 },
};

export interface QualityRow {
  variant: string;
  themes: number;
  coverage: number;
  noise: number;
  failed: number;
  filler: number;
  firmsMedian: number;
  firmsP90: number;
  largestShare: number;
  junkTop20: number;
  npmi: number;
  npmiTop20: number;
  diversity: number;
  seconds: number;
}

export function scoreThemes(
  variant: string,
  topics: readonly TopicRecord[],
  fit: ThemeModelResult,
  ref: CooccurrenceIndex,
  seconds: number,
): QualityRow {
  const firms = fit.themes.map((t) => t.nFirms);
  const npmis = fit.themes.map((t) => ref.topicNpmi(t.keywords.slice(0, 10)));
  return {
    variant,
    themes: fit.themes.length,
    coverage: fit.stats.coverage,
    noise: fit.stats.noiseTopics / Math.max(1, topics.length),
    failed: fit.stats.failedFewFirms + fit.stats.failedDominance,
    filler: fit.stats.failedFiller,
    firmsMedian: quantile(firms, 0.5),
    firmsP90: quantile(firms, 0.9),
    largestShare: (fit.themes[0]?.members.length ?? 0) / Math.max(1, topics.length),
    junkTop20: fit.themes.slice(0, 20).filter((t) => isJunk(t.keywords)).length,
    npmi: mean(npmis),
    npmiTop20: mean(npmis.slice(0, 20)),
    diversity: topicDiversity(fit.themes.map((t) => t.keywords.slice(0, 10))),
    seconds,
  };
}

/** Term sets of the quarter's sentences that belong to a topic. */
async function sentenceIndex(lake: string, quarter: string): Promise<CooccurrenceIndex> {
  const conn = await openDuckDB();
  const rows = await queryRows(
    conn,
    `SELECT text FROM read_parquet(${sqlString(`${lake}/sentences/quarter=${quarter}/*.parquet`)}) WHERE topic_id IS NOT NULL`,
  );
  return new CooccurrenceIndex(
    rows.map((r) => termsOf(r.text as string, { ngramMax: 2, stopWords: CALL_STOP_WORDS })),
  );
}

/** Keywords of the lake's stored themes, largest first (by topics, as the stage ranks them). */
async function storedThemeKeywords(lake: string, quarter: string): Promise<string[][]> {
  const conn = await openDuckDB();
  const rows = await queryRows(
    conn,
    `SELECT keywords FROM read_parquet(${sqlString(`${lake}/themes/quarter=${quarter}/*.parquet`)}) ORDER BY n_topics DESC, theme_id`,
  );
  return rows.map((r) => [...(r.keywords as string[])]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lake: { type: 'string', default: './lake' },
      quarter: { type: 'string', default: '2021Q2' },
      variants: { type: 'string', default: Object.keys(VARIANTS).join(',') },
      detail: { type: 'boolean', default: false },
      /** Comma-separated seeds: each variant runs once per seed (default: the model's default seed). */
      seeds: { type: 'string' },
      /**
       * Also score the themes stored in the lake (no refit) against this checkout's reference: lakes written by
       * other versions compare on one tokenization (an older quality.ts counted other stop words).
       */
      stored: { type: 'boolean', default: false },
    },
  });
  const seeds = values.seeds ? values.seeds.split(',').map(Number) : [undefined];
  const store = new LocalLakeStore(values.lake!);
  const { topics } = await readQuarterTopics(store, values.quarter!);
  const ref = await sentenceIndex(values.lake!, values.quarter!);
  if (values.stored) {
    const npmis = (await storedThemeKeywords(values.lake!, values.quarter!)).map((k) =>
      ref.topicNpmi(k.slice(0, 10)),
    );
    process.stdout.write(
      `stored themes: ${npmis.length}, NPMI all/top-20 ${mean(npmis).toFixed(3)}/${mean(npmis.slice(0, 20)).toFixed(3)}\n`,
    );
  }
  let keywordVectors: ReturnType<typeof matrixFromRows> | undefined;
  const rows: QualityRow[] = [];
  for (const [name, seed] of values.variants!.split(',').flatMap((n) => seeds.map((s) => [n, s] as const))) {
    const v = { ...VARIANTS[name], ...(seed === undefined ? {} : { seed }) };
    if (!VARIANTS[name]) throw new Error(`unknown variant ${name}`);
    let extra: { vectors: ReturnType<typeof matrixFromRows>; weight: number } | undefined;
    if (v.keywordWeight !== undefined) {
      if (!keywordVectors) {
        const embedder = SifEmbedder.load();
        keywordVectors = matrixFromRows(await embedder.embed(topics.map((t) => t.keywords.join(' '))));
      }
      extra = { vectors: keywordVectors, weight: v.keywordWeight };
    }
    const t0 = performance.now();
    const fit = fitThemes(topics, v, extra);
    const label = seed === undefined ? name : `${name} seed ${seed}`;
    const row = scoreThemes(label, topics, fit, ref, (performance.now() - t0) / 1000);
    rows.push(row);
    if (values.detail) {
      process.stdout.write(`\n## ${name}: 20 largest themes\n`);
      for (const t of fit.themes.slice(0, 20))
        process.stdout.write(
          `${t.index}\t${t.members.length} topics\t${t.nFirms} firms\tdom ${t.dominance.toFixed(2)}\t` +
            `${themeKeywordName(t.keywords)}\t| ${t.keywords.slice(0, 8).join(', ')}${isJunk(t.keywords) ? '\tJUNK' : ''}\n`,
        );
      const firms = fit.themes.map((t) => t.nFirms);
      process.stdout.write(
        `firms per theme: min ${Math.min(...firms)} p25 ${quantile(firms, 0.25)} median ${quantile(firms, 0.5)} ` +
          `p75 ${quantile(firms, 0.75)} p90 ${quantile(firms, 0.9)} max ${Math.max(...firms)}\n`,
      );
    }
  }
  process.stdout.write(
    `\n${values.quarter}: ${topics.length} topics, ${new Set(topics.map((t) => t.firmId)).size} firms, ` +
      `${ref.nDocs} topic sentences\n`,
  );
  process.stdout.write(
    '| variant | themes | coverage | noise | failed (filler) | firms p50/p90 | largest | junk top-20 | NPMI all/top-20 | diversity | s |\n|---|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.variant} | ${r.themes} | ${(100 * r.coverage).toFixed(1)}% | ${(100 * r.noise).toFixed(1)}% | ${r.failed} (${r.filler}) | ` +
        `${r.firmsMedian}/${r.firmsP90.toFixed(0)} | ${(100 * r.largestShare).toFixed(1)}% | ${r.junkTop20} | ` +
        `${r.npmi.toFixed(3)}/${r.npmiTop20.toFixed(3)} | ${r.diversity.toFixed(2)} | ${r.seconds.toFixed(1)} |\n`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
