/**
 * The cross-firm theme model: topic centroids (unit length, optionally joined with embedded keywords) →
 * UMAP-style reduction to 5 dimensions (or PCA) → kNN graph (HNSW at scale) → mutual-reachability MST on
 * the graph, joined across components → HDBSCAN (condensed tree, leaf selection) → validation (firms, dominance, call
 * filler) → attachment of close noise topics → c-TF-IDF keywords over member topics' keywords. No step is
 * quadratic in the number of topics.
 */
import { knnGraphOf, neighborSearch } from '../cluster/ann.js';
import { hdbscanFromTree } from '../cluster/hdbscan.js';
import { KdTree, mutualReachabilityMstKdTree } from '../cluster/kdtree.js';
import type { KnnGraph } from '../cluster/knn.js';
import {
  centredUnitRows,
  type Matrix,
  materialize,
  matrix,
  normalizeRows,
  type RowSource,
  rowSource,
} from '../cluster/matrix.js';
import { countComponents, type SpanningTree } from '../cluster/mst.js';
import { connectedMutualReachabilityMst } from '../cluster/mst-connect.js';
import { fitPca, type PcaModel, projectPca } from '../cluster/pca.js';
import { umap } from '../cluster/umap.js';
import { degenerateReason } from './degenerate.js';
import { CALL_FILLER_WORDS, isFillerTheme } from './filler.js';
import { themeKeywords } from './keywords.js';
import type { ThemeDraft, ThemeModelOptions, ThemeModelResult, TopicRecord } from './types.js';
import { firmShares, validateTheme } from './validate.js';

/** Above this many dimensions a k-d tree stops pruning well; the HNSW route takes over. */
const KD_TREE_MAX_DIMS = 16;

/**
 * A lighter HNSW for the kNN graph UMAP starts from: on 125k topic vectors (32-d) it builds and answers 2.2×
 * faster than the searcher's defaults (16/128/64) at recall 0.996 against a high-precision index; UMAP's own
 * reference implementation settles for approximate neighbours too (NN-descent).
 */
const UMAP_INPUT_HNSW = { connectivity: 12, expansionAdd: 64, expansionSearch: 32 } as const;

/**
 * Smallest cluster: 10 topics, or one per 1,000 topics at scale, so theme granularity keeps pace with n. With leaf
 * selection, 10 gives about the theme count eom gave at 8 (111 against 115 on ECTSum 2021Q2) and a higher NPMI.
 */
export function defaultMinClusterSize(nTopics: number): number {
  return Math.max(10, Math.round(nTopics / 1000));
}

/**
 * Above this many values (n × columns) the clustering vectors are computed row by row when read instead of
 * stored: at 125k topics × 4096-d a stored copy is 2 GB beside the centroids' own 2 GB. Below it they are
 * stored (faster to read again); both give the same values.
 */
const STORED_VECTORS_MAX_VALUES = 1 << 26;

/**
 * The clustering vectors: each topic's unit centroid, optionally joined with its extra vector (unit, × weight),
 * the join scaled to unit length. `centroids` (n × d, the topics' centroids in order) spares the copy.
 */
export function topicVectorRows(
  topics: readonly TopicRecord[],
  centroids?: Matrix,
  extra?: Matrix,
  extraWeight = 1,
  storedMaxValues = STORED_VECTORS_MAX_VALUES,
): RowSource {
  const n = topics.length;
  const d = n === 0 ? 0 : topics[0].centroid.length;
  const cols = d + (extra?.cols ?? 0);
  if (n * cols <= storedMaxValues) return rowSource(topicVectors(topics, extra, extraWeight));
  for (const t of topics)
    if (t.centroid.length !== d)
      throw new Error(`topic ${t.topicId}: centroid has ${t.centroid.length} values, expected ${d}`);
  if (extra && extra.rows !== n) throw new Error(`extra vectors: ${extra.rows} rows for ${n} topics`);
  if (centroids && (centroids.rows !== n || centroids.cols !== d))
    throw new Error(`centroids: ${centroids.rows} × ${centroids.cols} for ${n} topics of ${d} dimensions`);
  const e = extra ? normalizeRows(extra) : undefined;
  const centroidOf = (i: number) =>
    centroids ? centroids.data.subarray(i * d, (i + 1) * d) : topics[i].centroid;
  // What topicVectors computes (normalise, join, normalise again) as one factor per part and row, found in one
  // pass now, so each row asked for later is one pass (rows are asked for ~6 times each: PCA, validation, …);
  // the values agree with topicVectors' to float32 rounding.
  const centroidScale = new Float64Array(n);
  const extraScale = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = centroidOf(i);
    let s = 0;
    for (let k = 0; k < d; k++) s += c[k] * c[k];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    let joined = s > 0 ? 1 : 0;
    if (e) for (let k = 0; k < e.cols; k++) joined += (extraWeight * e.data[i * e.cols + k]) ** 2;
    const invJoined = e && joined > 0 ? 1 / Math.sqrt(joined) : 1;
    centroidScale[i] = inv * invJoined;
    extraScale[i] = extraWeight * invJoined;
  }
  const out = new Float32Array(cols);
  return {
    rows: n,
    cols,
    row(i) {
      const c = centroidOf(i);
      const a = centroidScale[i];
      for (let k = 0; k < d; k++) out[k] = c[k] * a;
      if (e) {
        const b = extraScale[i];
        for (let k = 0; k < e.cols; k++) out[d + k] = e.data[i * e.cols + k] * b;
      }
      return out;
    },
  };
}

/** Unit-length centroids, optionally concatenated with extra per-topic vectors (e.g. embedded keywords). */
export function topicVectors(topics: readonly TopicRecord[], extra?: Matrix, extraWeight = 1): Matrix {
  const n = topics.length;
  if (n === 0) return matrix(0, 0);
  const d = topics[0].centroid.length;
  for (const t of topics)
    if (t.centroid.length !== d)
      throw new Error(`topic ${t.topicId}: centroid has ${t.centroid.length} values, expected ${d}`);
  const base = new Float32Array(n * d);
  topics.forEach((t, i) => {
    base.set(t.centroid, i * d);
  });
  const unit = normalizeRows(matrix(n, d, base));
  if (!extra) return unit;
  if (extra.rows !== n) throw new Error(`extra vectors: ${extra.rows} rows for ${n} topics`);
  const e = normalizeRows(extra);
  const cols = d + e.cols;
  const out = new Float32Array(n * cols);
  for (let i = 0; i < n; i++) {
    out.set(unit.data.subarray(i * d, (i + 1) * d), i * cols);
    for (let c = 0; c < e.cols; c++) out[i * cols + d + c] = extraWeight * e.data[i * e.cols + c];
  }
  return normalizeRows(matrix(n, cols, out));
}

export function fitThemes(
  topics: readonly TopicRecord[],
  o: ThemeModelOptions = {},
  extra?: { vectors?: Matrix; weight?: number; centroids?: Matrix },
): ThemeModelResult {
  const seconds: Record<string, number> = {};
  const tick = (name: string, t0: number) => {
    seconds[name] = (performance.now() - t0) / 1000;
    o.onStep?.(name, seconds[name]);
  };
  const n = topics.length;
  const minFirms = o.minFirms ?? 3;
  const maxDominance = o.maxDominance ?? 0.4;
  const mcs = o.minClusterSize ?? defaultMinClusterSize(n);
  const firms = new Set(topics.map((t) => t.firmId)).size;
  const emptyStats = {
    topics: n,
    firms,
    clusters: 0,
    themes: 0,
    failedFewFirms: 0,
    failedDominance: 0,
    failedFiller: 0,
    topicsInFailedClusters: 0,
    noiseTopics: n,
    attachedNoise: 0,
    coverage: 0,
    graphComponents: n,
    largestShare: 0,
    degenerate: null as string | null,
    minClusterSize: mcs,
    seconds,
  };
  const neighbors = Math.min(o.neighbors ?? 15, n - 1);
  if (n < Math.max(mcs, 3) || neighbors < 2)
    return { themes: [], themeOf: new Int32Array(n).fill(-1), stats: emptyStats };

  let t0 = performance.now();
  const unit = topicVectorRows(topics, extra?.centroids, extra?.vectors, extra?.weight);
  const reduction = o.reduction ?? 'umap';
  const dims = Math.min(o.dims ?? 5, unit.cols);
  const geometry = o.centre ? centredUnitRows(unit) : unit;
  let space: Matrix | undefined;
  let metric: 'cosine' | 'euclidean' = 'cosine';
  let cosineGraph: KnnGraph | undefined;
  if (reduction === 'pca') {
    space = projectPca(geometry, fitPca(geometry, dims, { seed: o.seed }));
    metric = 'euclidean';
  } else if (reduction === 'umap') {
    const pre = o.prePcaDims ?? 32;
    let input: Matrix;
    let inputMetric: 'cosine' | 'euclidean' = 'cosine';
    const drop = Math.min(o.dropComponents ?? 0, geometry.cols - 2);
    if (drop > 0 || (pre > 0 && geometry.cols > pre)) {
      // Euclidean distance between projections of unit vectors ≈ chord distance, monotone in cosine.
      const keep = pre > 0 ? Math.min(pre, geometry.cols - drop) : geometry.cols - drop;
      input = projectPca(geometry, withoutLeading(fitPca(geometry, keep + drop, { seed: o.seed }), drop));
      inputMetric = 'euclidean';
      tick('reduce-pca', t0);
      t0 = performance.now();
    } else input = materialize(geometry);
    const s = neighborSearch(input, {
      metric: inputMetric,
      exactBelow: o.exactBelow,
      threads: o.threads,
      ...UMAP_INPUT_HNSW,
    });
    cosineGraph = knnGraphOf(s, neighbors);
    tick('reduce-knn', t0);
    t0 = performance.now();
    space = umap(input, {
      nComponents: dims,
      nNeighbors: neighbors + 1,
      knn: cosineGraph,
      metric: inputMetric,
      minDist: 0,
      seed: o.seed,
      nEpochs: o.umapEpochs ?? 100,
      ...(o.umapInit ? { init: o.umapInit } : {}),
      ...(o.spectralIterations ? { spectralIterations: o.spectralIterations } : {}),
    });
    metric = 'euclidean';
  } else space = materialize(geometry);
  tick('reduce', t0);

  t0 = performance.now();
  const minSamples = Math.min(o.minSamples ?? 3, neighbors);
  let graph: KnnGraph;
  let tree: SpanningTree;
  let graphComponents: number;
  if (metric === 'euclidean' && space.cols <= KD_TREE_MAX_DIMS) {
    // Low dimensions (the usual 5-d reduction): exact kNN and the exact MST from one k-d tree.
    const kd = new KdTree(space);
    graph = kd.knnGraph(neighbors);
    tick('knn', t0);
    t0 = performance.now();
    tree = mutualReachabilityMstKdTree(space, minSamples, { tree: kd, graph }).tree;
    graphComponents = countComponents(graph);
  } else {
    const search = neighborSearch(space, { metric, exactBelow: o.exactBelow, threads: o.threads });
    graph = knnGraphOf(search, neighbors);
    tick('knn', t0);
    t0 = performance.now();
    const mst = connectedMutualReachabilityMst(space, graph, search, { minSamples });
    tree = mst.tree;
    graphComponents = mst.components;
  }
  tick('mst', t0);
  t0 = performance.now();
  const clustering = hdbscanFromTree(tree, {
    minClusterSize: mcs,
    method: o.selection ?? 'leaf',
    ...(o.maxClusterShare ? { maxClusterSize: Math.ceil(o.maxClusterShare * n) } : {}),
  });
  tick('hdbscan', t0);

  // Validation: clusters with too few firms, one dominant firm, or call-filler keywords fail; their topics
  // stay unthemed.
  t0 = performance.now();
  const clusters: number[][] = Array.from({ length: clustering.nClusters }, () => []);
  for (let i = 0; i < n; i++) if (clustering.labels[i] >= 0) clusters[clustering.labels[i]].push(i);
  const filler = o.fillerWords === undefined ? CALL_FILLER_WORDS : o.fillerWords;
  const clusterKeywords = filler
    ? themeKeywords(
        topics.map((t) => t.keywords),
        clustering.labels,
        clusters.length,
        o.keywords ?? 10,
        o.keywordMinTopics,
      )
    : [];
  let failedFewFirms = 0;
  let failedDominance = 0;
  let failedFiller = 0;
  let topicsInFailedClusters = 0;
  const valid: number[][] = [];
  clusters.forEach((members, c) => {
    const verdict = validateTheme(
      members.map((i) => topics[i].firmId),
      minFirms,
      maxDominance,
    );
    if (verdict === 'ok' && !(filler && isFillerTheme(clusterKeywords[c], filler))) {
      valid.push(members);
      return;
    }
    if (verdict === 'few-firms') failedFewFirms++;
    else if (verdict === 'dominated') failedDominance++;
    else failedFiller++;
    topicsInFailedClusters += members.length;
  });
  const themeOf = new Int32Array(n).fill(-1);
  valid.forEach((members, c) => {
    for (const i of members) themeOf[i] = c;
  });
  const centroidsBefore = valid.map((members) => meanUnit(unit, members));
  const noise: number[] = [];
  for (let i = 0; i < n; i++) if (clustering.labels[i] < 0) noise.push(i);
  const attachedNoise = attachNoise(
    noise,
    valid,
    centroidsBefore,
    unit,
    graph,
    themeOf,
    topics,
    o.attachNoiseAt ?? 0.75,
    maxDominance,
  );
  tick('validate', t0);

  // Rank themes by size so ids read as "theme 0 is the largest"; ties by the first member's topic id. The
  // filler rule runs again on the final keywords: attached noise can turn a theme's leading keywords into
  // call pleasantries ("excited, people, proud"), and such a theme is dropped like any failed cluster.
  t0 = performance.now();
  let ranked: number[][] = valid;
  let keywords: string[][] = [];
  for (;;) {
    for (const members of ranked) members.sort((a, b) => cmp(topics[a].topicId, topics[b].topicId));
    const current = ranked;
    const order = current
      .map((_, c) => c)
      .sort(
        (a, b) =>
          current[b].length - current[a].length ||
          cmp(topics[current[a][0]].topicId, topics[current[b][0]].topicId),
      );
    const rankOf = new Int32Array(current.length);
    order.forEach((c, r) => {
      rankOf[c] = r;
    });
    for (let i = 0; i < n; i++) if (themeOf[i] >= 0) themeOf[i] = rankOf[themeOf[i]];
    ranked = order.map((c) => current[c]);
    keywords = themeKeywords(
      topics.map((t) => t.keywords),
      themeOf,
      ranked.length,
      o.keywords ?? 10,
      o.keywordMinTopics,
    );
    const late = filler ? keywords.map((k) => isFillerTheme(k, filler)) : [];
    if (!late.some(Boolean)) break;
    const kept: number[][] = [];
    ranked.forEach((members, t) => {
      if (late[t]) {
        failedFiller++;
        topicsInFailedClusters += members.length;
        for (const i of members) themeOf[i] = -1;
        return;
      }
      for (const i of members) themeOf[i] = kept.length;
      kept.push(members);
    });
    ranked = kept;
  }
  const themes: ThemeDraft[] = ranked.map((members, index) => {
    const s = firmShares(members.map((i) => topics[i].firmId));
    const centroid = meanUnit(unit, members, topics);
    return {
      index,
      members,
      nFirms: s.nFirms,
      dominance: s.dominance,
      keywords: keywords[index],
      centroid,
      similarity: members.map((i) => cosineToUnit(topics[i].centroid, centroid)),
    };
  });
  tick('describe', t0);
  const themed = themes.reduce((s, t) => s + t.members.length, 0);
  const largest = themes.reduce((m, t) => Math.max(m, t.members.length), 0);
  return {
    themes,
    themeOf,
    stats: {
      ...emptyStats,
      clusters: clustering.nClusters,
      themes: themes.length,
      failedFewFirms,
      failedDominance,
      failedFiller,
      topicsInFailedClusters,
      noiseTopics: noise.length,
      attachedNoise,
      coverage: n === 0 ? 0 : themed / n,
      graphComponents,
      largestShare: n === 0 ? 0 : largest / n,
      degenerate: degenerateReason(n, themes.length, largest),
    },
  };
}

/** The model without its `drop` leading components (their directions projected out). */
function withoutLeading(model: PcaModel, drop: number): PcaModel {
  if (drop === 0) return model;
  return { ...model, components: model.components.slice(drop), variances: model.variances.slice(drop) };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Mean of the members' unit vectors, scaled to unit length. With `topics`, the mean is taken over the
 * original centroids (unit length) rather than the clustering vectors, so a theme centroid lives in the
 * topics' embedding space.
 */
function meanUnit(
  unit: RowSource,
  members: readonly number[],
  topics?: readonly TopicRecord[],
): Float32Array {
  const d = topics ? topics[0].centroid.length : unit.cols;
  const acc = new Float64Array(d);
  for (const i of members) {
    if (topics) {
      const c = topics[i].centroid;
      let s = 0;
      for (let k = 0; k < d; k++) s += c[k] * c[k];
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let k = 0; k < d; k++) acc[k] += c[k] * inv;
    } else {
      const r = unit.row(i);
      for (let k = 0; k < d; k++) acc[k] += r[k];
    }
  }
  let s = 0;
  for (let k = 0; k < d; k++) s += acc[k] * acc[k];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  return Float32Array.from(acc, (v) => v * inv);
}

/** Cosine of a vector to a unit vector. */
function cosineToUnit(v: ArrayLike<number>, unitVec: Float32Array): number {
  let dot = 0;
  let s = 0;
  for (let k = 0; k < unitVec.length; k++) {
    dot += v[k] * unitVec[k];
    s += v[k] * v[k];
  }
  return s > 0 ? dot / Math.sqrt(s) : 0;
}

/**
 * Noise topics join a valid theme only when close: the candidates are the themes of the topic's graph
 * neighbours; the best must reach `threshold` cosine and the theme's own 10th-percentile member similarity,
 * and adding it must not push one firm above the dominance limit. Closest pairs go first. Returns the count.
 */
function attachNoise(
  noise: readonly number[],
  valid: number[][],
  centroids: readonly Float32Array[],
  unit: RowSource,
  graph: KnnGraph,
  themeOf: Int32Array,
  topics: readonly TopicRecord[],
  threshold: number,
  maxDominance: number,
): number {
  if (threshold >= 1 || valid.length === 0) return 0;
  const d = unit.cols;
  // Each row is read once per use below: computed rows cost a normalisation each.
  const sim = (row: Float32Array, c: number): number => {
    let s = 0;
    for (let k = 0; k < d; k++) s += row[k] * centroids[c][k];
    return s;
  };
  const floor = valid.map((members, c) => {
    const sims = members.map((i) => sim(unit.row(i), c)).sort((a, b) => a - b);
    return sims[Math.floor(sims.length * 0.1)];
  });
  const offers: { i: number; c: number; s: number }[] = [];
  for (const i of noise) {
    let best = -1;
    let bestSim = Number.NEGATIVE_INFINITY;
    let row: Float32Array | undefined;
    for (let r = 0; r < graph.k; r++) {
      const c = themeOf[graph.indices[i * graph.k + r]];
      if (c < 0 || c === best) continue;
      row ??= unit.row(i);
      const s = sim(row, c);
      if (s > bestSim || (s === bestSim && c < best)) {
        bestSim = s;
        best = c;
      }
    }
    if (best >= 0 && bestSim >= threshold && bestSim >= floor[best]) offers.push({ i, c: best, s: bestSim });
  }
  offers.sort((a, b) => b.s - a.s || a.i - b.i);
  const counts = valid.map((members) => {
    const m = new Map<string, number>();
    for (const i of members) m.set(topics[i].firmId, (m.get(topics[i].firmId) ?? 0) + 1);
    return m;
  });
  let attached = 0;
  for (const { i, c } of offers) {
    const firm = topics[i].firmId;
    const had = counts[c].get(firm) ?? 0;
    // Adding a topic only lowers the other firms' shares, so only the joining firm's share needs checking.
    if ((had + 1) / (valid[c].length + 1) > maxDominance) continue;
    counts[c].set(firm, had + 1);
    valid[c].push(i);
    themeOf[i] = c;
    attached++;
  }
  return attached;
}
