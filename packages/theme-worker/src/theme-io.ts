/** Reads what the theme stage needs from the lake: a quarter's topics, and an earlier quarter's themes. */

import { compareQuarters, isQuarter } from '@callthemes/common/config';
import type { LakeStore } from '@callthemes/common/lake';
import { manifestKey, openDuckDB, partitionPrefix, queryRows, sqlString } from '@callthemes/common/lake';
import type { LineageSide, LineageTheme, TopicRecord } from '@callthemes/common/themes';
import type { DuckDBConnection } from '@duckdb/node-api';

export const THEME_STAGE = 'themes';

let shared: Promise<DuckDBConnection> | undefined;
function connection(): Promise<DuckDBConnection> {
  shared ??= openDuckDB();
  return shared;
}

async function parquetKeys(store: LakeStore, table: string, quarter: string): Promise<string[]> {
  return (await store.list(partitionPrefix(table, quarter))).filter((k) => k.endsWith('.parquet'));
}

function fileList(store: LakeStore, keys: readonly string[]): string {
  return `[${keys.map((k) => sqlString(store.url(k))).join(', ')}]`;
}

export interface TopicReadResult {
  topics: TopicRecord[];
  /** Rows that cannot be clustered, with the reason. */
  rejects: { topicId: string; firmId: string | null; reason: string }[];
  files: number;
}

/**
 * The quarter's topics, sorted by topic id. Rows with a missing, non-finite, zero or wrongly sized centroid,
 * and repeated topic ids, are returned as rejects instead. `withText: false` leaves keywords and names unread
 * (empty), for lineage, which needs only ids, firms and centroids.
 */
export async function readQuarterTopics(
  store: LakeStore,
  quarter: string,
  { withText = true }: { withText?: boolean } = {},
): Promise<TopicReadResult> {
  const keys = await parquetKeys(store, 'topics', quarter);
  if (keys.length === 0) return { topics: [], rejects: [], files: 0 };
  const conn = await connection();
  const text = withText ? 'keywords, name' : 'NULL AS keywords, NULL AS name';
  const reader = await conn.runAndReadAll(
    `SELECT topic_id, firm_id, size, ${text}, centroid FROM read_parquet(${fileList(store, keys)}) ORDER BY topic_id`,
  );
  const cols = reader.getColumnsJS();
  const [ids, firms, sizes, keywords, names, centroids] = cols as unknown as [
    string[],
    string[],
    number[],
    (string[] | null)[],
    string[],
    (number[] | null)[],
  ];
  // The modal centroid length is the embedding dimension; other lengths are rejected below.
  const lengths = new Map<number, number>();
  for (const c of centroids) if (c) lengths.set(c.length, (lengths.get(c.length) ?? 0) + 1);
  const dim = [...lengths].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0;
  const topics: TopicRecord[] = [];
  const rejects: TopicReadResult['rejects'] = [];
  let last: string | null = null;
  for (let i = 0; i < ids.length; i++) {
    const c = centroids[i];
    const reason =
      ids[i] === last
        ? 'repeated topic_id'
        : !c || c.length === 0
          ? 'no centroid'
          : c.length !== dim
            ? `centroid has ${c.length} values, the quarter's topics have ${dim}`
            : c.some((v) => v === null || !Number.isFinite(v))
              ? 'centroid has a non-finite value'
              : c.every((v) => v === 0)
                ? 'centroid is all zeros'
                : null;
    last = ids[i];
    if (reason) {
      rejects.push({ topicId: ids[i], firmId: firms[i] ?? null, reason });
      continue;
    }
    topics.push({
      topicId: ids[i],
      firmId: firms[i],
      size: Number(sizes[i]),
      keywords: keywords[i] ?? [],
      name: names[i] ?? '',
      centroid: Float32Array.from(c!),
    });
  }
  return { topics, rejects, files: keys.length };
}

/** The latest quarter before `quarter` whose theme stage finished (its manifest exists), or null. */
export async function previousThemedQuarter(store: LakeStore, quarter: string): Promise<string | null> {
  const keys = await store.list('_manifests/');
  let best: string | null = null;
  for (const k of keys) {
    const m = /^_manifests\/quarter=([^/]+)\/themes-batch-0000\.json$/.exec(k);
    if (!m || !isQuarter(m[1])) continue;
    if (compareQuarters(m[1], quarter) >= 0) continue;
    if (best === null || compareQuarters(m[1], best) > 0) best = m[1];
  }
  return best;
}

export function themeManifestKey(quarter: string): string {
  return manifestKey(quarter, THEME_STAGE, 0);
}

/** An earlier quarter's themes with their member topics, as lineage needs them. */
export async function readLineageSide(store: LakeStore, quarter: string): Promise<LineageSide> {
  const themeKeys = await parquetKeys(store, 'themes', quarter);
  const mapKeys = await parquetKeys(store, 'topic_themes', quarter);
  if (themeKeys.length === 0) return { themes: [], topics: [] };
  const conn = await connection();
  const themeRows = await queryRows(
    conn,
    `SELECT theme_id, centroid FROM read_parquet(${fileList(store, themeKeys)}) ORDER BY theme_id`,
  );
  const members = new Map<string, string[]>();
  if (mapKeys.length > 0) {
    const rows = await queryRows(
      conn,
      `SELECT topic_id, theme_id FROM read_parquet(${fileList(store, mapKeys)}) ORDER BY topic_id`,
    );
    for (const r of rows) {
      const list = members.get(r.theme_id as string) ?? [];
      list.push(r.topic_id as string);
      members.set(r.theme_id as string, list);
    }
  }
  const themes: LineageTheme[] = themeRows.map((r) => ({
    themeId: r.theme_id as string,
    centroid: Float32Array.from(r.centroid as number[]),
    members: members.get(r.theme_id as string) ?? [],
  }));
  const { topics } = await readQuarterTopics(store, quarter, { withText: false });
  return { themes, topics };
}
