/**
 * Theme lineage between two processed quarters. A link's similarity averages two signals:
 * - centroid similarity: cosine of the two theme centroids after removing the mean topic centroid of both
 *   quarters (averaged embeddings share a large common direction that would make every pair look alike);
 * - member overlap: each current themed topic is matched to the most similar earlier topic of the same firm
 *   (centred cosine ≥ `topicMatchAt`); overlap(a, b) = distinct topics of a matched by topics of b, divided by
 *   min(|a|, |b|) (at most 1).
 * A current theme keeps its links scoring ≥ `linkAt`, best first, at most `maxLinksPerTheme` (splits and
 * merges show as several links).
 */
import { rowProducts } from '../cluster/row-products.js';

export interface LineageTheme {
  themeId: string;
  centroid: Float32Array;
  /** Member topic ids. */
  members: readonly string[];
}

export interface LineageTopic {
  topicId: string;
  firmId: string;
  centroid: Float32Array;
}

export interface LineageSide {
  themes: readonly LineageTheme[];
  topics: readonly LineageTopic[];
}

export interface LineageOptions {
  /** Minimum link similarity (default 0.5). */
  linkAt?: number;
  /** Minimum centred cosine for a firm's topic to continue an earlier one (default 0.5). */
  topicMatchAt?: number;
  /** Weight of centroid similarity against member overlap (default 0.5). */
  centroidWeight?: number;
  maxLinksPerTheme?: number;
}

export interface ThemeLink {
  fromThemeId: string;
  toThemeId: string;
  similarity: number;
  centroidSimilarity: number;
  memberOverlap: number;
}

/**
 * An earlier quarter whose topics are read in passes instead of held: at 125k topics × 4096-d they are 2 GB,
 * as much again as the current quarter's. `forEachTopic` visits every topic (in any order; `order` is the
 * topic's rank by id, which settles ties as the array form does). With `unitSum` (the sum of the quarter's unit
 * topic centroids, which its theme stage recorded) one pass does: the matches; without, two: the mean, then
 * the matches.
 */
export interface StreamedLineageSide {
  themes: readonly LineageTheme[];
  forEachTopic(visit: (topic: LineageTopic, order: number) => void): Promise<void>;
  unitSum?: UnitSum;
}

/** Σ v/|v| over a quarter's topic centroids, and how many there were. */
export interface UnitSum {
  sum: Float64Array;
  count: number;
}

/**
 * The sum of unit vectors lineage needs of a quarter, accumulated in the order given (the same arithmetic as
 * lineage's own pass, so a recorded sum equals the one it would compute from the same rows in the same order).
 */
export function unitSumOf(dim: number): UnitSum & { add(v: Float32Array): void } {
  const sum = new Float64Array(dim);
  const out = {
    sum,
    count: 0,
    add(v: Float32Array): void {
      addUnit(sum, v);
      out.count++;
    },
  };
  return out;
}

export function linkThemes(prev: LineageSide, cur: LineageSide, o: LineageOptions = {}): ThemeLink[] {
  if (prev.themes.length === 0 || cur.themes.length === 0) return [];
  const d = lineageWidth(prev.themes, cur.themes);
  const mean = meanAccumulator(d);
  for (const t of prev.topics) mean.addTopic(t.centroid);
  const m = themedTopics(cur);
  const matcher = topicMatcher(m.rows, mean.finish(cur.topics), memberThemes(prev.themes), o);
  prev.topics.forEach((t, k) => {
    matcher.match(t, k);
  });
  return linksFromMatches(prev.themes, cur.themes, m.rowOf, matcher.result(), o);
}

/** `linkThemes` with the earlier quarter's topics streamed (one pass with its recorded sum, else two); the same links. */
export async function linkThemesStreamed(
  prev: StreamedLineageSide,
  cur: LineageSide,
  o: LineageOptions = {},
): Promise<ThemeLink[]> {
  if (prev.themes.length === 0 || cur.themes.length === 0) return [];
  lineageWidth(prev.themes, cur.themes);
  const m = themedTopics(cur);
  const matches = await matchEarlierTopics(prev, memberThemes(prev.themes), cur.topics, m.rows, o);
  return linksFromMatches(prev.themes, cur.themes, m.rowOf, matches, o);
}

/**
 * Each row's best earlier topic of the same firm (centred cosine ≥ `topicMatchAt`), and the mean lineage centres
 * on: Σ unit centroids of the earlier quarter (its recorded `unitSum`, or a first pass) then of `curTopics` in
 * their order, over their count. It needs no current theme, so the theme stage runs it beside its clustering
 * over every current topic (`rows` = all) and keeps the themed ones' matches (a topic's best match does not
 * depend on which other rows are matched: each product is the same sum).
 */
export async function matchEarlierTopics(
  prev: Pick<StreamedLineageSide, 'forEachTopic' | 'unitSum'>,
  prevThemeOf: ReadonlyMap<string, number>,
  curTopics: readonly { centroid: Float32Array }[],
  rows: readonly MatchRow[],
  o: LineageOptions = {},
): Promise<TopicMatches> {
  const d = curTopics[0]?.centroid.length ?? 0;
  const mean = meanAccumulator(d);
  if (prev.unitSum && prev.unitSum.sum.length === d) mean.addSum(prev.unitSum);
  else await prev.forEachTopic((t) => mean.addTopic(t.centroid));
  const matcher = topicMatcher(rows, mean.finish(curTopics), prevThemeOf, o);
  await prev.forEachTopic((t, k) => matcher.match(t, k));
  return matcher.result();
}

/** A current topic to match: its firm and centroid. */
export interface MatchRow {
  firmId: string;
  centroid: Float32Array;
}

/** Per matched row: the earlier theme (index) and topic (rank by id) it continues, or theme −1; and the mean. */
export interface TopicMatches {
  mean: Float64Array;
  theme: Int32Array;
  topic: Int32Array;
  similarity: Float64Array;
}

/** Earlier topic id → index of its theme. */
export function memberThemes(themes: readonly LineageTheme[]): Map<string, number> {
  const out = new Map<string, number>();
  themes.forEach((t, a) => {
    for (const id of t.members) out.set(id, a);
  });
  return out;
}

function lineageWidth(prevThemes: readonly LineageTheme[], curThemes: readonly LineageTheme[]): number {
  const d = curThemes[0].centroid.length;
  for (const themes of [prevThemes, curThemes])
    for (const t of themes)
      if (t.centroid.length !== d)
        throw new Error(`lineage: theme ${t.themeId} has ${t.centroid.length} dimensions, expected ${d}`);
  return d;
}

/** The current themes' member topics (those among `cur.topics`) as match rows, and each one's row. */
function themedTopics(cur: LineageSide): { rows: MatchRow[]; rowOf: Map<string, number> } {
  const byId = new Map(cur.topics.map((t) => [t.topicId, t]));
  const rows: MatchRow[] = [];
  const rowOf = new Map<string, number>();
  for (const t of cur.themes)
    for (const id of t.members) {
      const topic = byId.get(id);
      if (!topic || rowOf.has(id)) continue;
      rowOf.set(id, rows.length);
      rows.push(topic);
    }
  return { rows, rowOf };
}

/** Σ unit vectors, earlier quarter first, then the current topics; the mean lineage centres on. */
function meanAccumulator(d: number) {
  const sum = new Float64Array(d);
  let count = 0;
  return {
    addTopic(v: Float32Array): void {
      addUnit(sum, v);
      count++;
    },
    addSum(u: UnitSum): void {
      for (let k = 0; k < d; k++) sum[k] += u.sum[k];
      count += u.count;
    },
    finish(curTopics: readonly { centroid: Float32Array }[]): Float64Array {
      for (const t of curTopics) addUnit(sum, t.centroid);
      count += curTopics.length;
      return Float64Array.from(sum, (x) => (count > 0 ? x / count : x));
    },
  };
}

/** Earlier topics of one firm buffered before their products with that firm's current topics. */
const MATCH_BLOCK_ROWS = 64;
/** Firms whose centred current rows are kept (earlier topics arrive grouped by firm in the lake's parts). */
const CENTRED_FIRMS = 64;

/**
 * Matches earlier topics, fed one at a time, to the rows of their firm: each row keeps its most similar earlier
 * themed topic (ties: the later topic by id). Products go firm by firm as blocks (`rowProducts`); each dot
 * product is the same sum in the same order as one at a time, so the matches are too. Buffers are reused, not
 * allocated per firm (at 4096-d those were ~3 GB of short-lived arrays a quarter, and their collection cost).
 */
function topicMatcher(
  rows: readonly MatchRow[],
  mean: Float64Array,
  prevThemeOf: ReadonlyMap<string, number>,
  o: LineageOptions,
) {
  const matchAt = o.topicMatchAt ?? 0.5;
  const d = mean.length;
  const n = rows.length;
  const theme = new Int32Array(n).fill(-1);
  const topic = new Int32Array(n).fill(-1);
  const similarity = new Float64Array(n);
  const rowsByFirm = new Map<string, number[]>();
  rows.forEach((r, i) => {
    const list = rowsByFirm.get(r.firmId);
    if (list) list.push(i);
    else rowsByFirm.set(r.firmId, [i]);
  });
  // Centred current rows of the firms met last, each firm's as one block.
  const centredCache = new Map<string, Float64Array>();
  const spare: Float64Array[] = [];
  const scratch = new Float32Array(d);
  const centredOf = (firm: string, list: readonly number[]): Float64Array => {
    let block = centredCache.get(firm);
    if (block) return block;
    if (centredCache.size >= CENTRED_FIRMS) {
      const [oldest, old] = centredCache.entries().next().value as [string, Float64Array];
      centredCache.delete(oldest);
      spare.push(old);
    }
    const need = list.length * d;
    block = spare.pop();
    if (!block || block.length < need) block = new Float64Array(need);
    for (let r = 0; r < list.length; r++)
      block.set(unitCentred(rows[list[r]].centroid, mean, scratch), r * d);
    centredCache.set(firm, block);
    return block;
  };
  const pending = new Float32Array(MATCH_BLOCK_ROWS * d);
  const pendingTheme = new Int32Array(MATCH_BLOCK_ROWS);
  const pendingOrder = new Int32Array(MATCH_BLOCK_ROWS);
  let pendingRows = 0;
  let pendingFirm = '';
  let products = new Float64Array(0);
  const flush = (): void => {
    const p = pendingRows;
    if (p === 0) return;
    const list = rowsByFirm.get(pendingFirm) as number[];
    const m = list.length;
    if (products.length < p * m) products = new Float64Array(p * m);
    rowProducts(pending, p, centredOf(pendingFirm, list), m, d, products);
    for (let q = 0; q < p; q++) {
      const order = pendingOrder[q];
      for (let r = 0; r < m; r++) {
        const s = products[q * m + r];
        if (s < matchAt) continue;
        const i = list[r];
        if (theme[i] < 0 || s > similarity[i] || (s === similarity[i] && order > topic[i])) {
          theme[i] = pendingTheme[q];
          topic[i] = order;
          similarity[i] = s;
        }
      }
    }
    pendingRows = 0;
  };
  return {
    /** An earlier topic (`order`: its rank by id) against the rows of its firm. */
    match(t: LineageTopic, order: number): void {
      const a = prevThemeOf.get(t.topicId);
      if (a === undefined || !rowsByFirm.has(t.firmId)) return;
      if (t.firmId !== pendingFirm || pendingRows === MATCH_BLOCK_ROWS) {
        flush();
        pendingFirm = t.firmId;
      }
      unitCentred(t.centroid, mean, pending.subarray(pendingRows * d, (pendingRows + 1) * d));
      pendingTheme[pendingRows] = a;
      pendingOrder[pendingRows] = order;
      pendingRows++;
    },
    result(): TopicMatches {
      flush();
      return { mean, theme, topic, similarity };
    },
  };
}

/**
 * The links, from each themed current topic's match (`rowOf`: topic id → its row in `matches`; topics without
 * a row, or unmatched, add no overlap).
 */
export function linksFromMatches(
  prevThemes: readonly LineageTheme[],
  curThemes: readonly LineageTheme[],
  rowOf: ReadonlyMap<string, number>,
  matches: TopicMatches,
  o: LineageOptions = {},
): ThemeLink[] {
  if (prevThemes.length === 0 || curThemes.length === 0) return [];
  const linkAt = o.linkAt ?? 0.5;
  const wc = o.centroidWeight ?? 0.5;
  const maxLinks = o.maxLinksPerTheme ?? 3;
  const nCur = curThemes.length;
  const pc = prevThemes.map((t) => unitCentred(t.centroid, matches.mean));
  const cc = curThemes.map((t) => unitCentred(t.centroid, matches.mean));
  const overlap = new Map<number, Set<number>>(); // key a * nCur + b → earlier topics of a matched from b
  curThemes.forEach((t, b) => {
    for (const id of t.members) {
      const i = rowOf.get(id);
      if (i === undefined || matches.theme[i] < 0) continue;
      const key = matches.theme[i] * nCur + b;
      const set = overlap.get(key) ?? new Set<number>();
      set.add(matches.topic[i]);
      overlap.set(key, set);
    }
  });
  const links: ThemeLink[] = [];
  curThemes.forEach((to, b) => {
    const scored: ThemeLink[] = [];
    prevThemes.forEach((from, a) => {
      const cos = dot(pc[a], cc[b]);
      const m = overlap.get(a * nCur + b)?.size ?? 0;
      const ov = m / Math.max(1, Math.min(from.members.length, to.members.length));
      const s = wc * Math.min(1, Math.max(0, cos)) + (1 - wc) * ov;
      if (s >= linkAt)
        scored.push({
          fromThemeId: from.themeId,
          toThemeId: to.themeId,
          similarity: s,
          centroidSimilarity: cos,
          memberOverlap: ov,
        });
    });
    scored.sort((x, y) => y.similarity - x.similarity || (x.fromThemeId < y.fromThemeId ? -1 : 1));
    links.push(...scored.slice(0, maxLinks));
  });
  return links;
}

/** acc += v / |v| (zero vectors add nothing). */
function addUnit(acc: Float64Array, v: Float32Array): void {
  const d = acc.length;
  let s = 0;
  for (let k = 0; k < d; k++) s += v[k] * v[k];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let k = 0; k < d; k++) acc[k] += v[k] * inv;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/** (v/|v| − mean), scaled to unit length, into `out` (a new array unless given: lineage centres ~200k vectors). */
function unitCentred(
  v: Float32Array,
  mean: Float64Array,
  out: Float32Array = new Float32Array(v.length),
): Float32Array {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * v[k];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  let t = 0;
  for (let k = 0; k < v.length; k++) {
    out[k] = v[k] * inv - mean[k];
    t += out[k] * out[k];
  }
  const invT = t > 0 ? 1 / Math.sqrt(t) : 0;
  for (let k = 0; k < v.length; k++) out[k] *= invT;
  return out;
}
