/**
 * The per-firm topic model: sentence vectors → UMAP-style reduction → HDBSCAN → topics ordered by size →
 * c-TF-IDF keywords (optionally re-ranked by MMR) → representative sentences nearest each centroid. Every topic
 * has at least five keywords (topic-keywords.ts: a short list is filled from its representative sentences; a
 * topic that still has fewer is made outliers). Outliers stay unassigned unless a similarity threshold for
 * reassignment is given.
 */
import { buildVocabulary, classTermCounts, cTfIdf } from '../cluster/ctfidf.js';
import { type ClusterSelection, hdbscan } from '../cluster/hdbscan.js';
import { exactKnn } from '../cluster/knn.js';
import { cosine, type Matrix, meanRow, normalizeRows } from '../cluster/matrix.js';
import { mmr } from '../cluster/mmr.js';
import { nearestToCentroid } from '../cluster/representative.js';
import { umap } from '../cluster/umap.js';
import { termsOf } from '../text/terms.js';
import { CALL_STOP_WORDS } from './stop-words.js';
import {
  fillFromRepresentatives,
  MIN_TOPIC_KEYWORDS,
  type RankedTerm,
  rankBySupport,
} from './topic-keywords.js';

export interface FirmTopicOptions {
  /** UMAP neighbourhood, counting the point (default 15, BERTopic's). */
  nNeighbors: number;
  /** Reduced dimensions (default 5, BERTopic's). */
  nComponents: number;
  minDist: number;
  /** SGD epochs of the layout (default 50: with the spectral start, more epochs changed little; see BENCHMARKS.md). */
  nEpochs: number;
  /**
   * Block power iterations of UMAP's spectral start (default 20: on 2021Q1, 10, 20, 40 and 80 gave topics,
   * outliers and NPMI within the spread of two seeds, and 20 costs half of 40).
   */
  spectralIterations: number;
  /** 'umap', or 'none' to cluster the sentence vectors directly. */
  reducer: 'umap' | 'none';
  /** Smallest topic; 'auto' scales with the call: max(5, round(n / 50)). */
  minClusterSize: number | 'auto';
  /** HDBSCAN min_samples (default 1: fewer outliers than larger values at the same topic count). */
  minSamples: number;
  selection: ClusterSelection;
  /** eom splits a topic larger than this share of the call's sentences into its sub-topics (default 0.35). */
  maxTopicShare: number;
  /** Longest keyword n-gram (default 2). */
  ngramMax: number;
  /** A keyword must occur in at least this many of the firm's sentences (default 2). */
  minDf: number;
  /**
   * Keywords found in at least this many of the topic's sentences rank before the others (default 3; 1 turns
   * it off): on 2021Q1 it raised NPMI from −0.21 to −0.17 with the list still filled to topKeywords.
   */
  minTopicDf: number;
  /** Count a term once per sentence however often the sentence repeats it (default false, as BERTopic). */
  binaryCounts: boolean;
  topKeywords: number;
  /** c-TF-IDF variants from BERTopic: √tf (reduce_frequent_words) and the BM25 idf (both off by default). */
  reduceFrequentWords: boolean;
  bm25Weighting: boolean;
  /** MMR over the top 30 c-TF-IDF terms against the topic centroid; 0 keeps the c-TF-IDF order. */
  keywordDiversity: number;
  representatives: number;
  /** Reassign an outlier to its most similar topic centroid when cosine ≥ this; null keeps outliers. */
  outlierThreshold: number | null;
  stopWords: ReadonlySet<string>;
  seed: number;
}

export const DEFAULT_FIRM_TOPIC_OPTIONS: FirmTopicOptions = {
  nNeighbors: 15,
  nComponents: 5,
  minDist: 0,
  nEpochs: 50,
  spectralIterations: 20,
  reducer: 'umap',
  minClusterSize: 'auto',
  minSamples: 1,
  selection: 'eom',
  maxTopicShare: 0.35,
  ngramMax: 2,
  minDf: 2,
  minTopicDf: 3,
  binaryCounts: false,
  topKeywords: 10,
  reduceFrequentWords: false,
  bm25Weighting: false,
  keywordDiversity: 0,
  representatives: 5,
  outlierThreshold: null,
  stopWords: CALL_STOP_WORDS,
  seed: 42,
};

export interface FirmTopic {
  /** Sentence indices, ascending. */
  members: number[];
  /** At least five (fewer only when topKeywords is lower), best first. */
  keywords: string[];
  /** c-TF-IDF weight per keyword; 0 for a word filled from a representative sentence (it has none). */
  keywordScores: number[];
  /** Sentence indices nearest the centroid, best first. */
  representatives: number[];
  /** Mean of the members' unit sentence vectors. */
  centroid: Float32Array;
}

export interface FirmTopicTimings {
  reduce: number;
  cluster: number;
  keywords: number;
}

export interface FirmTopicResult {
  /** Topic per sentence (index into `topics`), −1 for outliers. */
  labels: Int32Array;
  topics: FirmTopic[];
  /** Outliers before any reassignment. */
  nOutliersBefore: number;
  timings: FirmTopicTimings;
}

/** Embeds candidate keywords for MMR (one call for all topics); given by the caller. */
export type TermEmbedder = (terms: readonly string[]) => Promise<Float32Array[]>;

export function resolveMinClusterSize(o: Pick<FirmTopicOptions, 'minClusterSize'>, n: number): number {
  return o.minClusterSize === 'auto' ? Math.max(5, Math.round(n / 50)) : o.minClusterSize;
}

export async function fitFirmTopics(
  vectors: Matrix,
  texts: readonly string[],
  options: Partial<FirmTopicOptions> = {},
  embedTerms?: TermEmbedder,
): Promise<FirmTopicResult> {
  const o = { ...DEFAULT_FIRM_TOPIC_OPTIONS, ...options };
  const n = vectors.rows;
  if (texts.length !== n) throw new Error(`fitFirmTopics: ${n} vectors but ${texts.length} texts`);
  const unit = normalizeRows(vectors);
  const mcs = resolveMinClusterSize(o, n);
  const t0 = performance.now();
  let labels: Int32Array = new Int32Array(n).fill(-1);
  let reduced: Matrix = unit;
  let t2 = t0;
  if (n >= 2 * mcs && n > o.nComponents + 2) {
    if (o.reducer === 'umap') {
      const nNeighbors = Math.min(o.nNeighbors, n - 1);
      const g = exactKnn(unit, nNeighbors - 1, 'cosine', { unitRows: true });
      reduced = umap(unit, {
        knn: g,
        nNeighbors,
        nComponents: o.nComponents,
        minDist: o.minDist,
        nEpochs: o.nEpochs,
        spectralIterations: o.spectralIterations,
        seed: o.seed,
      });
    }
    t2 = performance.now();
    const res = hdbscan(reduced, {
      minClusterSize: mcs,
      minSamples: Math.min(o.minSamples, n - 1),
      method: o.selection,
      maxClusterSize: Math.max(mcs, Math.floor(o.maxTopicShare * n)),
      metric: o.reducer === 'umap' ? 'euclidean' : 'cosine',
    });
    labels = relabelBySize(res.labels, res.nClusters);
  }
  const t3 = performance.now();
  let nTopics = 0;
  for (const l of labels) nTopics = Math.max(nTopics, l + 1);
  const clustered = labels;
  if (o.outlierThreshold !== null && nTopics > 0)
    labels = reassignOutliers(unit, labels, nTopics, o.outlierThreshold);
  let topics = await describeTopics(unit, texts, labels, nTopics, o, embedTerms);
  // A topic that the fill order cannot give MIN_TOPIC_KEYWORDS distinct terms is call filler ("I appreciate
  // it very much", "Can everyone hear me now"): its sentences become outliers and the rest are described again
  // (the outlier class is part of every term's c-TF-IDF). Merging it into the nearest topic instead would put
  // that filler into a topic about something and move its centroid; see BENCHMARKS.md ("Every topic has at
  // least five keywords").
  const keep = Math.min(MIN_TOPIC_KEYWORDS, o.topKeywords);
  const dropped = new Set<number>();
  for (let short = shortTopics(topics, keep); short.length > 0; short = shortTopics(topics, keep)) {
    const renumbered = dropTopics(labels, nTopics, short);
    for (const t of short) dropped.add(originalTopic(clustered, topics[t].members));
    labels = renumbered.labels;
    nTopics = renumbered.nTopics;
    topics = await describeTopics(unit, texts, labels, nTopics, o, embedTerms);
  }
  // Outliers before any reassignment: HDBSCAN's, and the sentences of the topics dropped for want of keywords.
  const nOutliersBefore = clustered.filter((l) => l < 0 || dropped.has(l)).length;
  const t4 = performance.now();
  return {
    labels,
    topics,
    nOutliersBefore,
    timings: { reduce: (t2 - t0) / 1000, cluster: (t3 - t2) / 1000, keywords: (t4 - t3) / 1000 },
  };
}

/** Renumbers clusters by descending size (ties: the cluster whose first member comes first), as BERTopic does. */
export function relabelBySize(labels: Int32Array, nClusters: number): Int32Array {
  const size = new Int32Array(nClusters);
  const first = new Int32Array(nClusters).fill(labels.length);
  labels.forEach((l, i) => {
    if (l < 0) return;
    size[l]++;
    if (i < first[l]) first[l] = i;
  });
  const order = Array.from({ length: nClusters }, (_, c) => c).sort(
    (a, b) => size[b] - size[a] || first[a] - first[b],
  );
  const rank = new Int32Array(nClusters);
  order.forEach((c, r) => {
    rank[c] = r;
  });
  return labels.map((l) => (l < 0 ? -1 : rank[l]));
}

/** The topics with fewer than `min` keywords. */
function shortTopics(topics: readonly FirmTopic[], min: number): number[] {
  return topics.flatMap((t, i) => (t.keywords.length < min ? [i] : []));
}

/** A topic's HDBSCAN number: the label its clustered members had (reassigned outliers had none). */
function originalTopic(clustered: Int32Array, members: readonly number[]): number {
  const first = members.find((i) => clustered[i] >= 0);
  return first === undefined ? -1 : clustered[first];
}

/**
 * Makes the given topics' sentences outliers and renumbers the rest in their order (which is by size, so it
 * stays by size).
 */
export function dropTopics(
  labels: Int32Array,
  nTopics: number,
  drop: readonly number[],
): { labels: Int32Array; nTopics: number } {
  const gone = new Set(drop);
  const rank = new Int32Array(nTopics).fill(-1);
  let next = 0;
  for (let t = 0; t < nTopics; t++) if (!gone.has(t)) rank[t] = next++;
  return { labels: labels.map((l) => (l < 0 ? -1 : rank[l])), nTopics: next };
}

/** Gives each outlier the topic whose centroid is most cosine-similar, when that similarity ≥ threshold. */
export function reassignOutliers(
  unit: Matrix,
  labels: Int32Array,
  nTopics: number,
  threshold: number,
): Int32Array {
  const groups: number[][] = Array.from({ length: nTopics }, () => []);
  labels.forEach((l, i) => {
    if (l >= 0) groups[l].push(i);
  });
  const cents = groups.map((g) => meanRow(unit, g));
  const out = Int32Array.from(labels);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= 0) continue;
    const row = unit.data.subarray(i * unit.cols, (i + 1) * unit.cols);
    let best = -1;
    let bestSim = threshold;
    for (let t = 0; t < nTopics; t++) {
      const s = cosine(row, cents[t]);
      if (s >= bestSim) {
        bestSim = s;
        best = t;
      }
    }
    out[i] = best;
  }
  return out;
}

async function describeTopics(
  unit: Matrix,
  texts: readonly string[],
  labels: Int32Array,
  nTopics: number,
  o: FirmTopicOptions,
  embedTerms?: TermEmbedder,
): Promise<FirmTopic[]> {
  if (nTopics === 0) return [];
  const docs = texts.map((t) => termsOf(t, { ngramMax: o.ngramMax, stopWords: o.stopWords }));
  const vocab = buildVocabulary(docs, { minDf: o.minDf });
  // The outliers form one more class, as in BERTopic, so they count in every term's frequency.
  const hasOutliers = labels.some((l) => l < 0);
  const classOf = hasOutliers ? labels.map((l) => (l < 0 ? nTopics : l)) : labels;
  const nClasses = nTopics + (hasOutliers ? 1 : 0);
  const sets = o.binaryCounts || o.minTopicDf > 1 ? docs.map((d) => [...new Set(d)]) : docs;
  const counts = classTermCounts(o.binaryCounts ? sets : docs, classOf, nClasses, vocab);
  const weights = cTfIdf(counts, vocab.terms.length, {
    reduceFrequentWords: o.reduceFrequentWords,
    bm25Weighting: o.bm25Weighting,
  });
  const useMmr = o.keywordDiversity > 0 && embedTerms !== undefined;
  const members: number[][] = Array.from({ length: nTopics }, () => []);
  labels.forEach((l, i) => {
    if (l >= 0) members[l].push(i);
  });
  const centroids = members.map((m) => meanRow(unit, m));
  // Tiers 1 and 2 of the fill order (topic-keywords.ts): with minTopicDf > 1, terms found in at least that
  // many of the topic's sentences rank first (by c-TF-IDF), then those in fewer — a term that one sentence
  // repeats is rarely what the topic is about — and the list is still filled to topKeywords.
  const df = o.minTopicDf > 1 ? classTermCounts(sets, classOf, nClasses, vocab) : null;
  const nCandidates = useMmr ? 30 : o.topKeywords;
  let ranked: RankedTerm[][] = members.map((_, t) =>
    rankBySupport(weights[t], df ? df[t] : null, o.minTopicDf, nCandidates, vocab.terms),
  );
  if (useMmr) {
    // One embedding call for every topic's candidates, then MMR against each topic's centroid.
    const all = [...new Set(ranked.flatMap((r) => r.map((x) => x.term)))];
    const vecs = await embedTerms(all.map((id) => vocab.terms[id]));
    const vecOf = new Map(all.map((id, i) => [id, vecs[i]]));
    ranked = ranked.map((r, t) =>
      mmr(
        centroids[t],
        r.map((x) => vecOf.get(x.term)!),
        o.topKeywords,
        o.keywordDiversity,
      ).map((p) => r[p]),
    );
  }
  const representatives = members.map((m, t) => nearestToCentroid(unit, m, centroids[t], o.representatives));
  // Tier 3, only for a topic short of the minimum: words of its representative sentences.
  const target = Math.min(MIN_TOPIC_KEYWORDS, o.topKeywords);
  ranked = ranked.map((r, t) =>
    r.length >= target
      ? r
      : fillFromRepresentatives(
          r,
          representatives[t].map((i) => docs[i]),
          target,
        ),
  );
  return members.map((m, t) => ({
    members: m,
    keywords: ranked[t].map((r) => r.text),
    keywordScores: ranked[t].map((r) => r.score),
    representatives: representatives[t],
    centroid: centroids[t],
  }));
}
