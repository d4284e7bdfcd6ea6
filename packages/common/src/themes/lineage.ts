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
  const run = lineageRun(prev.themes, cur, o);
  for (const t of prev.topics) run.addToMean(t);
  run.centre();
  prev.topics.forEach((t, k) => {
    run.match(t, k);
  });
  return run.links();
}

/** `linkThemes` with the earlier quarter's topics streamed (two passes); the same links. */
export async function linkThemesStreamed(
  prev: StreamedLineageSide,
  cur: LineageSide,
  o: LineageOptions = {},
): Promise<ThemeLink[]> {
  if (prev.themes.length === 0 || cur.themes.length === 0) return [];
  const run = lineageRun(prev.themes, cur, o);
  if (prev.unitSum && prev.unitSum.sum.length === run.dim) run.addSum(prev.unitSum);
  else await prev.forEachTopic((t) => run.addToMean(t));
  run.centre();
  await prev.forEachTopic((t, k) => run.match(t, k));
  return run.links();
}

/** Earlier topics of one firm buffered before their products with that firm's current topics. */
const MATCH_BLOCK_ROWS = 64;

/**
 * The steps of lineage with the earlier topics fed one at a time: every earlier topic to `addToMean`, then
 * `centre`, then every earlier topic to `match`, then `links`. Only the current quarter is held.
 */
function lineageRun(prevThemes: readonly LineageTheme[], cur: LineageSide, o: LineageOptions) {
  const linkAt = o.linkAt ?? 0.5;
  const matchAt = o.topicMatchAt ?? 0.5;
  const wc = o.centroidWeight ?? 0.5;
  const maxLinks = o.maxLinksPerTheme ?? 3;
  const d = cur.themes[0].centroid.length;
  for (const themes of [prevThemes, cur.themes])
    for (const t of themes)
      if (t.centroid.length !== d)
        throw new Error(`lineage: theme ${t.themeId} has ${t.centroid.length} dimensions, expected ${d}`);
  const sum = new Float64Array(d);
  let count = 0;
  let mean = sum;
  let pc: Float32Array[] = [];
  let cc: Float32Array[] = [];
  const centred = (v: Float32Array, out?: Float32Array) => unitCentred(v, mean, out);

  // Member overlap through firm continuity: each current themed topic keeps its best earlier match.
  const prevThemeOfTopic = new Map<string, number>();
  prevThemes.forEach((t, a) => {
    for (const id of t.members) prevThemeOfTopic.set(id, a);
  });
  const curTopic = new Map(cur.topics.map((t) => [t.topicId, t]));
  const nCur = cur.themes.length;
  interface Member {
    theme: number;
    topic: LineageTopic;
    best: { theme: number; topic: number; sim: number } | null;
  }
  const membersByFirm = new Map<string, Member[]>();
  const members: Member[] = [];
  cur.themes.forEach((t, b) => {
    for (const id of t.members) {
      const topic = curTopic.get(id);
      if (!topic) continue;
      const m: Member = { theme: b, topic, best: null };
      members.push(m);
      const list = membersByFirm.get(topic.firmId) ?? [];
      list.push(m);
      membersByFirm.set(topic.firmId, list);
    }
  });
  // Centred current vectors of the firms met last, as rows of one block (earlier topics arrive grouped by firm
  // in the lake's parts).
  const centredCache = new Map<string, Float64Array>();
  const scratch = new Float32Array(d);
  const centredOf = (firm: string, list: Member[]): Float64Array => {
    let block = centredCache.get(firm);
    if (!block) {
      block = new Float64Array(list.length * d);
      for (const [r, m] of list.entries()) block.set(centred(m.topic.centroid, scratch), r * d);
      if (centredCache.size >= 64) centredCache.delete(centredCache.keys().next().value as string);
      centredCache.set(firm, block);
    }
    return block;
  };
  // Earlier topics of the firm last met, centred, waiting for one product with that firm's current topics:
  // each dot product is the same sum in the same order as one at a time, so the matches are too.
  const pending = new Float32Array(MATCH_BLOCK_ROWS * d);
  const pendingOf: { theme: number; order: number }[] = [];
  let pendingFirm = '';
  let products = new Float64Array(0);
  const flush = (): void => {
    const p = pendingOf.length;
    if (p === 0) return;
    const list = membersByFirm.get(pendingFirm) as Member[];
    const m = list.length;
    if (products.length < p * m) products = new Float64Array(p * m);
    rowProducts(pending, p, centredOf(pendingFirm, list), m, d, products);
    pendingOf.forEach(({ theme, order }, q) => {
      list.forEach((member, r) => {
        const s = products[q * m + r];
        if (s < matchAt) return;
        if (!member.best || s > member.best.sim || (s === member.best.sim && order > member.best.topic))
          member.best = { theme, topic: order, sim: s };
      });
    });
    pendingOf.length = 0;
  };

  return {
    dim: d,
    addToMean(t: LineageTopic): void {
      addUnit(sum, t.centroid);
      count++;
    },
    /** An earlier quarter's whole sum at once, instead of its topics one by one. */
    addSum(u: UnitSum): void {
      for (let k = 0; k < d; k++) sum[k] += u.sum[k];
      count += u.count;
    },
    centre(): void {
      for (const t of cur.topics) addUnit(sum, t.centroid);
      count += cur.topics.length;
      mean = Float64Array.from(sum, (x) => (count > 0 ? x / count : x));
      pc = prevThemes.map((t) => centred(t.centroid));
      cc = cur.themes.map((t) => centred(t.centroid));
    },
    /** An earlier topic against the current themed topics of its firm; ties go to the later topic by id. */
    match(t: LineageTopic, order: number): void {
      const a = prevThemeOfTopic.get(t.topicId);
      if (a === undefined) return;
      if (!membersByFirm.has(t.firmId)) return;
      if (t.firmId !== pendingFirm || pendingOf.length === MATCH_BLOCK_ROWS) {
        flush();
        pendingFirm = t.firmId;
      }
      const at = pendingOf.length * d;
      centred(t.centroid, pending.subarray(at, at + d));
      pendingOf.push({ theme: a, order });
    },
    links(): ThemeLink[] {
      flush();
      const overlap = new Map<number, Set<number>>(); // key a * nCur + b → earlier topics of a matched from b
      for (const m of members) {
        if (!m.best) continue;
        const key = m.best.theme * nCur + m.theme;
        const set = overlap.get(key) ?? new Set<number>();
        set.add(m.best.topic);
        overlap.set(key, set);
      }
      const links: ThemeLink[] = [];
      cur.themes.forEach((to, b) => {
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
    },
  };
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
