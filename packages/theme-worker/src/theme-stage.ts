/**
 * The theme stage for one quarter: read the quarter's topics (never its sentences), cluster them across firms into
 * themes, validate and name the themes, link them to the previous processed quarter's themes, and write
 * `themes`, `topic_themes` and `theme_links` as one file each (atomic replace), rejects, and the manifest last.
 * A re-run replaces all of them, so readers never see two versions of a quarter's themes.
 */
import { rm } from 'node:fs/promises';
import { type Matrix, matrixFromRows } from '@callthemes/common/cluster';
import type { Embedder } from '@callthemes/common/embed';
import type { LakeStore, PartitionManifest } from '@callthemes/common/lake';
import {
  partitionPrefix,
  type Row,
  rejectsKey,
  scratchFile,
  TABLES,
  type TableName,
  writeParquet,
} from '@callthemes/common/lake';
import type { ThemeNamer } from '@callthemes/common/naming';
import { KeywordThemeNamer } from '@callthemes/common/naming';
import type { ThemeModelOptions, ThemeModelStats } from '@callthemes/common/themes';
import {
  fitThemes,
  type LineageOptions,
  linksFromMatches,
  linkThemesStreamed,
  type ThemeLink,
} from '@callthemes/common/themes';
import { type EarlierMatching, startEarlierMatching } from './earlier-matching.js';
import type { TopicReadResult } from './theme-io.js';
import {
  encodeUnitSum,
  previousThemedQuarter,
  readLineageSide,
  readQuarterTopics,
  THEME_STAGE,
  themeManifestKey,
} from './theme-io.js';

export interface ThemeStageOptions {
  store: LakeStore;
  quarter: string;
  runId: string;
  model?: ThemeModelOptions;
  lineage?: LineageOptions;
  /** Keyword names unless another namer (e.g. the LLM one) is given. */
  namer?: ThemeNamer;
  /** Quarter to link to; default: the latest earlier quarter whose theme stage finished; null: no lineage. */
  previousQuarter?: string | null;
  /**
   * Embeds each topic's keywords and clusters on [centroid, keywordWeight × keyword vector] (both unit length);
   * measured to give more coherent themes than centroids alone (BENCHMARKS.md). Omit for centroids only.
   */
  keywordEmbedder?: Embedder;
  /** Weight of the keyword vector against the centroid (default 1). */
  keywordWeight?: number;
  /** Member topic names passed to the namer per theme (most central first; default 10). */
  namerEvidence?: number;
}

export interface ThemeStageResult {
  manifest: PartitionManifest;
  stats: ThemeModelStats;
  previousQuarter: string | null;
  links: ThemeLink[];
  rejects: number;
  seconds: Record<string, number>;
}

/** Single-file keys of the theme stage's tables (DESIGN "Lake layout"). */
export function themeTableKey(table: 'themes' | 'topic_themes' | 'theme_links', quarter: string): string {
  return `${partitionPrefix(table, quarter)}${table === 'theme_links' ? 'links' : 'themes'}.parquet`;
}

export function themeId(quarter: string, index: number): string {
  return `${quarter}:th${index}`;
}

export async function runThemeStage(o: ThemeStageOptions): Promise<ThemeStageResult> {
  const seconds: Record<string, number> = {};
  const t0 = performance.now();
  const read = await readQuarterTopics(o.store, o.quarter);
  if (read.files === 0)
    throw new Error(
      `no topics for ${o.quarter} in lake ${o.store.root}: run the firm stage (firm-batch) first`,
    );
  seconds.read = (performance.now() - t0) / 1000;

  // Lineage's matches start now, in a worker thread beside the clustering (earlier-matching.ts).
  const previousQuarter =
    o.previousQuarter === undefined ? await previousThemedQuarter(o.store, o.quarter) : o.previousQuarter;
  const t1 = performance.now();
  const earlier = previousQuarter
    ? await startEarlierMatching(o.store, previousQuarter, read, o.lineage)
    : null;
  seconds.lineageStart = (performance.now() - t1) / 1000;
  try {
    return await themeQuarter(o, read, previousQuarter, earlier, seconds, t0);
  } finally {
    await earlier?.stop();
  }
}

async function themeQuarter(
  o: ThemeStageOptions,
  read: TopicReadResult,
  previousQuarter: string | null,
  earlier: EarlierMatching | null,
  seconds: Record<string, number>,
  t0: number,
): Promise<ThemeStageResult> {
  const { topics } = read;
  let extra: { vectors: Matrix; weight: number } | undefined;
  if (o.keywordEmbedder && topics.length > 0) {
    const t1 = performance.now();
    const vectors = await o.keywordEmbedder.embed(topics.map((t) => t.keywords.join(' ')));
    extra = { vectors: matrixFromRows(vectors, o.keywordEmbedder.dim), weight: o.keywordWeight ?? 1 };
    seconds.embedKeywords = (performance.now() - t1) / 1000;
  }
  // The lineage worker starts once the PCA's two threads are done (or after the model, if it made none).
  const model = {
    ...o.model,
    onStep: (step: string, s: number) => {
      o.model?.onStep?.(step, s);
      if (step === 'reduce-pca') earlier?.start();
    },
  };
  const fit = fitThemes(topics, model, { ...extra, centroids: read.centroids });
  earlier?.start();
  Object.assign(seconds, fit.stats.seconds);

  let t = performance.now();
  const ids = fit.themes.map((th) => themeId(o.quarter, th.index));
  const evidence = o.namerEvidence ?? 10;
  const namer = o.namer ?? new KeywordThemeNamer();
  const names = await namer.nameThemes(
    o.quarter,
    fit.themes.map((th, k) => ({
      themeId: ids[k],
      keywords: th.keywords,
      memberTopicNames: th.members
        .map((i, r) => ({ name: topics[i].name, s: th.similarity[r] }))
        .sort((a, b) => b.s - a.s)
        .slice(0, evidence)
        .map((x) => x.name),
      nFirms: th.nFirms,
      nTopics: th.members.length,
    })),
  );
  if (names.length !== fit.themes.length)
    throw new Error(`theme namer returned ${names.length} names for ${fit.themes.length} themes`);
  seconds.name = (performance.now() - t) / 1000;

  const themeRows: Row[] = fit.themes.map((th, k) => ({
    theme_id: ids[k],
    name: names[k].name,
    name_source: names[k].nameSource,
    keywords: th.keywords,
    description: names[k].description,
    n_topics: th.members.length,
    n_firms: th.nFirms,
    dominance: th.dominance,
    centroid: th.centroid,
  }));
  const mapRows: Row[] = [];
  fit.themes.forEach((th, k) => {
    th.members.forEach((i, r) => {
      mapRows.push({ topic_id: topics[i].topicId, theme_id: ids[k], similarity: th.similarity[r] });
    });
  });
  mapRows.sort((a, b) => ((a.topic_id as string) < (b.topic_id as string) ? -1 : 1));

  t = performance.now();
  let links: ThemeLink[] = [];
  if (previousQuarter) {
    const cur = {
      themes: fit.themes.map((th, k) => ({
        themeId: ids[k],
        centroid: th.centroid,
        members: th.members.map((i) => topics[i].topicId),
      })),
      topics,
    };
    if (earlier) {
      const matches = await earlier.matches;
      seconds.lineageMatching = earlier.seconds ?? 0;
      const rowOf = new Map(topics.map((tp, i) => [tp.topicId, i]));
      links = linksFromMatches(earlier.themes, cur.themes, rowOf, matches, o.lineage);
    } else links = await linkThemesStreamed(await readLineageSide(o.store, previousQuarter), cur, o.lineage);
  }
  const linkRows: Row[] = links.map((l) => ({
    from_theme_id: l.fromThemeId,
    to_theme_id: l.toThemeId,
    similarity: l.similarity,
  }));
  seconds.lineage = (performance.now() - t) / 1000;

  t = performance.now();
  const rejectRows: Row[] = read.rejects.map((r) => ({
    source_ref: r.topicId,
    firm_id: r.firmId,
    stage: THEME_STAGE,
    reason: r.reason,
  }));
  const parts: Partial<Record<TableName, string[]>> = {};
  const rows: Partial<Record<TableName, number>> = {};
  const outputs: [TableName, string, Row[]][] = [
    ['themes', themeTableKey('themes', o.quarter), themeRows],
    ['topic_themes', themeTableKey('topic_themes', o.quarter), mapRows],
    ['theme_links', themeTableKey('theme_links', o.quarter), linkRows],
    ['rejects', rejectsKey(o.quarter, THEME_STAGE, null), rejectRows],
  ];
  const scratch = await o.store.scratchDir();
  for (const [table, key, list] of outputs) {
    const tmp = scratchFile(scratch, `${table}-${THEME_STAGE}`);
    try {
      await writeParquet(TABLES[table], list, tmp);
      await o.store.putFile(key, tmp);
    } finally {
      await rm(tmp, { force: true });
    }
    if (table !== 'rejects') {
      parts[table] = [key];
      rows[table] = list.length;
    }
  }
  seconds.write = (performance.now() - t) / 1000;
  seconds.total = (performance.now() - t0) / 1000;

  const manifest: PartitionManifest = {
    stage: THEME_STAGE,
    quarter: o.quarter,
    batch: 0,
    batchSize: topics.length,
    runId: o.runId,
    items: [],
    parts: parts as Record<string, string[]>,
    rows: rows as Record<string, number>,
    rejects: rejectRows.length,
    finishedAt: new Date().toISOString(),
    previousQuarter,
    // What the next quarter's lineage needs of this one without reading its topics twice.
    lineage: encodeUnitSum(read.unitSum),
    stats: { ...fit.stats, seconds },
    options: {
      ...o.model,
      keywordVectors: o.keywordEmbedder
        ? { model: o.keywordEmbedder.model, weight: o.keywordWeight ?? 1 }
        : null,
    },
  };
  await o.store.putText(themeManifestKey(o.quarter), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, stats: fit.stats, previousQuarter, links, rejects: rejectRows.length, seconds };
}
