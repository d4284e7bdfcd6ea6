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

export function linkThemes(prev: LineageSide, cur: LineageSide, o: LineageOptions = {}): ThemeLink[] {
  if (prev.themes.length === 0 || cur.themes.length === 0) return [];
  const linkAt = o.linkAt ?? 0.5;
  const matchAt = o.topicMatchAt ?? 0.5;
  const wc = o.centroidWeight ?? 0.5;
  const maxLinks = o.maxLinksPerTheme ?? 3;
  const d = cur.themes[0].centroid.length;
  for (const side of [prev, cur])
    for (const t of side.themes)
      if (t.centroid.length !== d)
        throw new Error(`lineage: theme ${t.themeId} has ${t.centroid.length} dimensions, expected ${d}`);
  const mean = meanUnitCentroid([...prev.topics, ...cur.topics], d);
  const centred = (v: Float32Array) => unitCentred(v, mean);
  const pc = prev.themes.map((t) => centred(t.centroid));
  const cc = cur.themes.map((t) => centred(t.centroid));

  // Member overlap through firm continuity.
  const prevThemeOfTopic = new Map<string, number>();
  prev.themes.forEach((t, a) => {
    for (const id of t.members) prevThemeOfTopic.set(id, a);
  });
  const prevByFirm = new Map<string, { theme: number; topic: number; v: Float32Array }[]>();
  prev.topics.forEach((t, k) => {
    const a = prevThemeOfTopic.get(t.topicId);
    if (a === undefined) return;
    const list = prevByFirm.get(t.firmId) ?? [];
    list.push({ theme: a, topic: k, v: centred(t.centroid) });
    prevByFirm.set(t.firmId, list);
  });
  const curTopic = new Map(cur.topics.map((t) => [t.topicId, t]));
  const overlap = new Map<number, Set<number>>(); // key a * nCur + b → earlier topics of a matched from b
  const nCur = cur.themes.length;
  cur.themes.forEach((t, b) => {
    for (const id of t.members) {
      const topic = curTopic.get(id);
      const candidates = topic && prevByFirm.get(topic.firmId);
      if (!candidates) continue;
      const v = centred(topic.centroid);
      let best: { theme: number; topic: number } | null = null;
      let bestSim = matchAt;
      for (const c of candidates) {
        const s = dot(v, c.v);
        if (s >= bestSim) {
          bestSim = s;
          best = c;
        }
      }
      if (!best) continue;
      const key = best.theme * nCur + b;
      const set = overlap.get(key) ?? new Set<number>();
      set.add(best.topic);
      overlap.set(key, set);
    }
  });

  const links: ThemeLink[] = [];
  cur.themes.forEach((to, b) => {
    const scored: ThemeLink[] = [];
    prev.themes.forEach((from, a) => {
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

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/** Mean of the unit-length topic centroids. */
function meanUnitCentroid(topics: readonly LineageTopic[], d: number): Float64Array {
  const acc = new Float64Array(d);
  for (const t of topics) {
    let s = 0;
    for (let k = 0; k < d; k++) s += t.centroid[k] * t.centroid[k];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < d; k++) acc[k] += t.centroid[k] * inv;
  }
  if (topics.length > 0) for (let k = 0; k < d; k++) acc[k] /= topics.length;
  return acc;
}

/** (v/|v| − mean), scaled to unit length. */
function unitCentred(v: Float32Array, mean: Float64Array): Float32Array {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * v[k];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float32Array(v.length);
  let t = 0;
  for (let k = 0; k < v.length; k++) {
    out[k] = v[k] * inv - mean[k];
    t += out[k] * out[k];
  }
  const invT = t > 0 ? 1 / Math.sqrt(t) : 0;
  for (let k = 0; k < v.length; k++) out[k] *= invT;
  return out;
}
