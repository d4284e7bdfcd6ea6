/** Reads what the theme stage needs from the lake: a quarter's topics, and an earlier quarter's themes. */

import { type Matrix, matrix, sharedFloat32 } from '@callthemes/common/cluster';
import { compareQuarters, isQuarter } from '@callthemes/common/config';
import type { LakeStore } from '@callthemes/common/lake';
import {
  type FloatListChunk,
  forEachFloatListChunk,
  manifestKey,
  openDuckDBFor,
  partitionPrefix,
  queryRows,
  sqlString,
} from '@callthemes/common/lake';
import type { LineageTheme, StreamedLineageSide, TopicRecord, UnitSum } from '@callthemes/common/themes';
import { unitSumOf } from '@callthemes/common/themes';
import type { DuckDBConnection } from '@duckdb/node-api';

export const THEME_STAGE = 'themes';

/** One connection per lake, opened with the store's settings (an `s3://` lake needs httpfs and its secret). */
const shared = new Map<string, Promise<DuckDBConnection>>();
function connection(store: LakeStore): Promise<DuckDBConnection> {
  let conn = shared.get(store.root);
  if (!conn) {
    conn = openDuckDBFor(store);
    shared.set(store.root, conn);
  }
  return conn;
}

/** The URLs DuckDB reads a table's Parquet files of the quarter by. */
async function parquetUrls(store: LakeStore, table: string, quarter: string): Promise<string[]> {
  const keys = await store.list(partitionPrefix(table, quarter));
  return keys.filter((k) => k.endsWith('.parquet')).map((k) => store.url(k));
}

/** A SQL list of file URLs, for `read_parquet`. */
function fileList(urls: readonly string[]): string {
  return `[${urls.map(sqlString).join(', ')}]`;
}

export interface TopicReadResult {
  /** Topics sorted by id; each `centroid` is a view of its row of `centroids` (no copy). */
  topics: TopicRecord[];
  /** The kept topics' centroids as one contiguous n × dim matrix, in `topics` order. */
  centroids: Matrix;
  /** Rows that cannot be clustered, with the reason. */
  rejects: { topicId: string; firmId: string | null; reason: string }[];
  files: number;
  /** Σ unit centroids of the kept topics in read order: what the next quarter's lineage needs of this one. */
  unitSum: UnitSum;
}

/**
 * The quarter's topics, sorted by topic id. Rows with a missing, non-finite, zero or wrongly sized centroid,
 * and repeated topic ids, are returned as rejects instead. `withText: false` leaves keywords and names unread
 * (empty).
 *
 * The centroids are streamed straight into one Float32Array at their sorted rows (see `scanTopics`), so memory
 * is the matrix itself (n × dim × 4 bytes: 2 GB at 125k × 4096) and no JS number is made per value.
 */
export async function readQuarterTopics(
  store: LakeStore,
  quarter: string,
  { withText = true }: { withText?: boolean } = {},
): Promise<TopicReadResult> {
  const scan = await scanTopics(store, quarter, withText);
  if (!scan) return { topics: [], centroids: matrix(0, 0), rejects: [], files: 0, unitSum: unitSumOf(0) };
  const { ids, firms, reasons, candidates } = scan;
  let data: Float32Array = new Float32Array(0);
  let dim = 0;
  let unitSum = unitSumOf(0);
  await scan.stream(
    (d) => {
      dim = d;
      // Shared, so the lineage worker reads the current topics beside the clustering without a copy.
      data = sharedFloat32(candidates.length * dim);
      unitSum = unitSumOf(dim);
    },
    (slot, v) => {
      data.set(v, slot * dim);
      unitSum.add(v);
    },
  );
  // Drop the rows found bad while streaming (kept rows only move up, so in place).
  const topics: TopicRecord[] = [];
  const rejects: TopicReadResult['rejects'] = [];
  let slot = 0;
  for (let i = 0; i < ids.length; i++) {
    if (slot < candidates.length && candidates[slot] === i) slot++;
    const reason = reasons[i];
    if (reason) {
      rejects.push({ topicId: ids[i], firmId: firms[i] ?? null, reason });
      continue;
    }
    const row = topics.length;
    if (row !== slot - 1) data.copyWithin(row * dim, (slot - 1) * dim, slot * dim);
    topics.push({
      topicId: ids[i],
      firmId: firms[i],
      size: Number(scan.sizes[i]),
      keywords: scan.keywords[i] ?? [],
      name: scan.names[i] ?? '',
      centroid: data.subarray(row * dim, (row + 1) * dim),
    });
  }
  const kept = data.subarray(0, topics.length * dim);
  return { topics, centroids: matrix(topics.length, dim, kept), rejects, files: scan.files, unitSum };
}

export interface TopicScan {
  /** Sorted by topic id. */
  ids: string[];
  firms: string[];
  sizes: number[];
  keywords: (string[] | null)[];
  names: (string | null)[];
  /** Why each sorted row is rejected, or null; complete once `stream` has run. */
  reasons: (string | null)[];
  /** Sorted rows whose centroid is read (all but repeated ids), ascending; a row's slot is its place here. */
  candidates: number[];
  files: number;
  /**
   * Streams the candidates' centroids in file order: `begin(dim)` with the quarter's embedding dimension, then
   * `visit(slot, values)` for each row of that length with good values. Settles `reasons`. The dimension is the
   * modal centroid length, guessed from the first chunk and checked at the end; a wrong guess (a quarter whose
   * first rows have the minority length) streams again, calling `begin` again. With `dim` given, only rows of
   * that length are visited, in one pass.
   */
  stream(
    begin: (dim: number) => void,
    visit: (slot: number, values: Float32Array) => void,
    dim?: number,
  ): Promise<void>;
}

/**
 * Ids and text sorted by id (small), and a way to stream the centroids in file order (`forEachFloatListChunk`:
 * typed views of DuckDB's vectors, no JS number per value), each row placed by (file, row number). Sorting in
 * DuckDB with the centroids as payload would hold them twice, and asking DuckDB for each centroid's length up
 * front decodes the whole column once more (3.8 of 5.2 CPU s of this query at 125k × 4096): lengths are taken
 * from the stream.
 */
async function scanTopics(store: LakeStore, quarter: string, withText: boolean): Promise<TopicScan | null> {
  const urls = await parquetUrls(store, 'topics', quarter);
  if (urls.length === 0) return null;
  return scanTopicFiles(await connection(store), urls, withText);
}

/** `scanTopics` over the given Parquet files (urls) on a connection that can read them. */
export async function scanTopicFiles(
  conn: DuckDBConnection,
  urls: readonly string[],
  withText: boolean,
): Promise<TopicScan> {
  const files = fileList(urls);
  const text = withText ? 'keywords, name' : 'NULL AS keywords, NULL AS name';
  const meta = await conn.runAndReadAll(
    `SELECT topic_id, firm_id, size, ${text}, filename, file_row_number::INTEGER AS row_number
     FROM read_parquet(${files}, filename = true, file_row_number = true) ORDER BY topic_id`,
  );
  const [ids, firms, sizes, keywords, names, fileNames, fileRows] = meta.getColumnsJS() as unknown as [
    string[],
    string[],
    number[],
    (string[] | null)[],
    (string | null)[],
    string[],
    number[],
  ];
  const reasons: (string | null)[] = new Array(ids.length).fill(null);
  const slotOf = new Map<string, Int32Array>();
  const candidates: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i > 0 && ids[i] === ids[i - 1]) {
      reasons[i] = 'repeated topic_id';
      continue;
    }
    let slots = slotOf.get(fileNames[i]);
    if (!slots || slots.length <= fileRows[i]) {
      const grown = new Int32Array(Math.max(fileRows[i] + 1, 2 * (slots?.length ?? 0))).fill(-1);
      if (slots) grown.set(slots);
      slots = grown;
      slotOf.set(fileNames[i], slots);
    }
    slots[fileRows[i]] = candidates.length;
    candidates.push(i);
  }
  const sql = `SELECT filename, file_row_number::INTEGER, centroid::FLOAT[]
    FROM read_parquet(${files}, filename = true, file_row_number = true)`;
  let settled = 0;
  // One pass with `dim` guessed (0: from the first chunk), or known; returns the modal length it saw.
  const pass = async (
    guess: number,
    begin: (dim: number) => void,
    visit: (slot: number, values: Float32Array) => void,
  ): Promise<{ dim: number; modal: number }> => {
    let dim = guess;
    if (dim > 0) begin(dim);
    const lengthOf = new Int32Array(candidates.length);
    for (const i of candidates) reasons[i] = null;
    await forEachFloatListChunk(conn, sql, 2, (chunk) => {
      const fileCol = chunk.column(0);
      const rowCol = chunk.column(1);
      if (dim === 0) {
        dim = modalLength(chunk);
        if (dim > 0) begin(dim);
      }
      for (let r = 0; r < chunk.rows; r++) {
        const slot = slotOf.get(fileCol.getItem(r) as string)?.[rowCol.getItem(r) as number] ?? -1;
        if (slot < 0) continue;
        const v = chunk.values(r);
        lengthOf[slot] = v?.length ?? 0;
        if (!v || v.length !== dim) continue;
        const problem = chunk.hasNullItem(r) ? 'centroid has a non-finite value' : valueProblem(v);
        if (problem) reasons[candidates[slot]] = problem;
        else visit(slot, v);
      }
    });
    // The modal length (ties: the longer), as the quarter's embedding dimension; other lengths are rejected.
    const counts = new Map<number, number>();
    for (const n of lengthOf) if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
    const modal = [...counts].sort((x, y) => y[1] - x[1] || y[0] - x[0])[0]?.[0] ?? 0;
    lengthOf.forEach((n, slot) => {
      const i = candidates[slot];
      if (n === 0) reasons[i] = 'no centroid';
      else if (n !== modal) reasons[i] = `centroid has ${n} values, the quarter's topics have ${modal}`;
    });
    return { dim, modal };
  };
  const stream: TopicScan['stream'] = async (begin, visit, dim) => {
    if (dim) {
      await pass(dim, begin, visit);
      return;
    }
    const seen = await pass(settled, begin, visit);
    settled = seen.modal;
    if (seen.modal !== seen.dim && seen.modal > 0) await pass(seen.modal, begin, visit);
  };
  return { ids, firms, sizes, keywords, names, reasons, candidates, files: urls.length, stream };
}

/** The most common length of the chunk's non-empty lists (ties: the longer), 0 if none. */
function modalLength(chunk: FloatListChunk): number {
  const counts = new Map<number, number>();
  for (let r = 0; r < chunk.rows; r++) {
    const n = chunk.values(r)?.length ?? 0;
    if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return [...counts].sort((x, y) => y[1] - x[1] || y[0] - x[0])[0]?.[0] ?? 0;
}

/**
 * Why a centroid's values cannot be clustered (non-finite, all zeros), or null. The sum of squares settles the
 * usual case in one unrolled pass (finite and positive: neither); otherwise each value is looked at.
 */
function valueProblem(v: Float32Array): string | null {
  const n = v.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += v[k] * v[k];
    s1 += v[k + 1] * v[k + 1];
    s2 += v[k + 2] * v[k + 2];
    s3 += v[k + 3] * v[k + 3];
  }
  for (; k < n; k++) s0 += v[k] * v[k];
  const s = s0 + s1 + s2 + s3;
  if (s > 0 && s < Number.POSITIVE_INFINITY) return null;
  let nonZero = false;
  for (k = 0; k < n; k++) {
    if (!Number.isFinite(v[k])) return 'centroid has a non-finite value';
    if (v[k] !== 0) nonZero = true;
  }
  return nonZero ? null : 'centroid is all zeros';
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

/** The manifest's record of a quarter's unit-centroid sum: float64 bytes in base64 (exact, 44 KB at 4096-d). */
export function encodeUnitSum(u: UnitSum): { topics: number; unitSum: string } {
  return {
    topics: u.count,
    unitSum: Buffer.from(u.sum.buffer, u.sum.byteOffset, u.sum.byteLength).toString('base64'),
  };
}

function decodeUnitSum(record: unknown): UnitSum | undefined {
  const r = record as { topics?: unknown; unitSum?: unknown } | undefined;
  if (typeof r?.topics !== 'number' || typeof r.unitSum !== 'string') return undefined;
  const bytes = Buffer.from(r.unitSum, 'base64');
  if (bytes.length % 8 !== 0) return undefined;
  const sum = new Float64Array(bytes.length / 8);
  new Uint8Array(sum.buffer).set(bytes);
  return { sum, count: r.topics };
}

/**
 * An earlier quarter's themes with their member topics, as lineage needs them. The themes are held (a few
 * hundred); the topics are streamed from the lake (`StreamedLineageSide`), so lineage holds one quarter's
 * centroids, not two: one pass when the quarter's manifest records its unit-centroid sum (`lineage`, written
 * since issue 25's one-pass lineage), two for quarters themed before.
 */
export async function readLineageSide(store: LakeStore, quarter: string): Promise<StreamedLineageSide> {
  const earlier = await readEarlierThemes(store, quarter);
  const scan = earlier.themes.length > 0 ? await scanTopics(store, quarter, false) : null;
  if (!scan) return { themes: earlier.themes, forEachTopic: async () => {} };
  return { ...earlier, forEachTopic: streamTopics(scan, earlier.themes[0]?.centroid.length) };
}

/** An earlier quarter's themes (centroids, members) and the unit sum its manifest records, if any. */
export interface EarlierThemes {
  themes: LineageTheme[];
  unitSum?: UnitSum;
}

export async function readEarlierThemes(store: LakeStore, quarter: string): Promise<EarlierThemes> {
  const themeUrls = await parquetUrls(store, 'themes', quarter);
  const mapUrls = await parquetUrls(store, 'topic_themes', quarter);
  if (themeUrls.length === 0) return { themes: [] };
  const conn = await connection(store);
  const themeIds: string[] = [];
  const centroids: Float32Array[] = [];
  await forEachFloatListChunk(
    conn,
    `SELECT theme_id, centroid::FLOAT[] FROM read_parquet(${fileList(themeUrls)}) ORDER BY theme_id`,
    1,
    (chunk) => {
      const idCol = chunk.column(0);
      for (let r = 0; r < chunk.rows; r++) {
        themeIds.push(idCol.getItem(r) as string);
        centroids.push(Float32Array.from(chunk.values(r) ?? []));
      }
    },
  );
  const members = new Map<string, string[]>();
  if (mapUrls.length > 0) {
    const rows = await queryRows(
      conn,
      `SELECT topic_id, theme_id FROM read_parquet(${fileList(mapUrls)}) ORDER BY topic_id`,
    );
    for (const r of rows) {
      const list = members.get(r.theme_id as string) ?? [];
      list.push(r.topic_id as string);
      members.set(r.theme_id as string, list);
    }
  }
  const themes: LineageTheme[] = themeIds.map((id, k) => ({
    themeId: id,
    centroid: centroids[k],
    members: members.get(id) ?? [],
  }));
  const manifest = await store.getText(themeManifestKey(quarter));
  const unitSum = manifest ? decodeUnitSum(JSON.parse(manifest).lineage) : undefined;
  return { themes, ...(unitSum ? { unitSum } : {}) };
}

/** The earlier quarter's topics as lineage streams them, at its themes' width (the modal length when themed). */
export function streamTopics(
  scan: TopicScan,
  width: number | undefined,
): StreamedLineageSide['forEachTopic'] {
  return (visit) =>
    scan.stream(
      () => {},
      (slot, centroid) => {
        const i = scan.candidates[slot];
        visit({ topicId: scan.ids[i], firmId: scan.firms[i], centroid }, i);
      },
      width,
    );
}

/** Where a quarter's topic files are, and how DuckDB reads them: what a thread with its own DuckDB needs. */
export interface TopicFiles {
  root: string;
  urls: string[];
  /** The store's DuckDB statements (httpfs and an S3 secret for an `s3://` lake). */
  settings: string[];
}

export async function topicFiles(store: LakeStore, quarter: string): Promise<TopicFiles> {
  const urls = await parquetUrls(store, 'topics', quarter);
  return { root: store.root, urls, settings: store.duckdbSettings?.() ?? [] };
}
