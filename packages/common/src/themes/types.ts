/** What the theme model reads (a quarter's topics) and what it returns (validated themes and their members). */

/** One per-firm topic as the `topics` table stores it. */
export interface TopicRecord {
  topicId: string;
  firmId: string;
  /** Sentences in the topic. */
  size: number;
  /** Top keywords, best first. */
  keywords: string[];
  name: string;
  /** Mean sentence embedding of the topic. */
  centroid: Float32Array;
}

export type Reduction = 'pca' | 'umap' | 'none';

export interface ThemeModelOptions {
  /** Smallest cluster HDBSCAN may return; default scales with the number of topics (see `defaultMinClusterSize`). */
  minClusterSize?: number;
  /** HDBSCAN min_samples (default 3: topics are sparse, firm-specific points). */
  minSamples?: number;
  /**
   * HDBSCAN cluster selection (default leaf). Excess of mass (eom) collapsed quarters: when a small, far group of
   * topics splits off the root first, the rest of the quarter is one cluster whose stability counts the whole span
   * down to its first inner split, and whether it beats its children turned on the layout's seed (one theme with
   * 97–99 % of the topics in about one (quarter, seed) in six on ECTSum). Leaf selection takes the condensed
   * tree's leaves, which no early split can swallow (BENCHMARKS.md "Theme stability across seeds").
   */
  selection?: 'eom' | 'leaf';
  /**
   * eom only: a cluster holding more than this share of the topics is replaced by its children (hdbscan's
   * max_cluster_size); a safety net for eom, off by default.
   */
  maxClusterShare?: number;
  /** Neighbours in the kNN graph (default 15). */
  neighbors?: number;
  /** Reduction before clustering (default umap: HDBSCAN finds far more structure after it; BENCHMARKS.md). */
  reduction?: Reduction;
  /** UMAP's start layout (default spectral); tried against the collapse, see `selection`. */
  umapInit?: 'spectral' | 'pca' | 'random';
  /** Block power iterations of UMAP's spectral start (default 40). */
  spectralIterations?: number;
  /** Leading principal directions removed before UMAP's kNN graph (default 0; "all-but-the-top"). */
  dropComponents?: number;
  /** Cluster on the vectors' deviations from the quarter's mean (centred, unit length) (default false). */
  centre?: boolean;
  /** UMAP optimisation epochs (default 100: 50, 100 and 200 gave the same themes on 2021Q2; 0 = spectral only). */
  umapEpochs?: number;
  /**
   * Before UMAP's kNN graph, project the vectors on their leading principal components (default 32; 0 = off):
   * HNSW on 200-d vectors cost ~90 CPU s at 112k topics, most of the stage's budget.
   */
  prePcaDims?: number;
  /** Dimensions after reduction (default 5). */
  dims?: number;
  /** Validation: a theme needs at least this many distinct firms (default 3). */
  minFirms?: number;
  /** Validation: no firm may hold more than this share of a theme's topics (default 0.4). */
  maxDominance?: number;
  /**
   * Noise topics join the nearest valid theme when their cosine to its centroid is at least this and at least
   * the theme's own least-similar member (default 0.75: leaf selection leaves more noise than eom did, and 0.75 keeps
   * coverage ≥ 0.6 on Motley's quarters with NPMI unchanged; 1 or more turns it off). Failed themes' topics never do.
   */
  attachNoiseAt?: number;
  /**
   * Validation: a cluster whose leading keywords are mostly these words (call mechanics, pleasantries) fails
   * (default CALL_FILLER_WORDS; null turns the rule off).
   */
  fillerWords?: ReadonlySet<string> | null;
  /** Theme keywords used by at least this many member topics rank first (default 2; 1 = plain c-TF-IDF). */
  keywordMinTopics?: number;
  /** Keywords per theme (default 10). */
  keywords?: number;
  seed?: number;
  /** Called after each step with its wall seconds (progress and benchmarks). */
  onStep?: (step: string, seconds: number) => void;
  /**
   * Threads for the HNSW index (default 1: single-threaded insertion keeps the graph, and so the themes,
   * reproducible; 2 halves the kNN wall time on a 2-core machine at the cost of run-to-run differences).
   */
  threads?: number;
  /** Exact neighbour search below this many topics (default 2,000). */
  exactBelow?: number;
}

export interface ThemeDraft {
  /** 0-based rank by size (n_topics desc, ties by first member topic id). */
  index: number;
  /** Indices into the input topics, ascending by topic id. */
  members: number[];
  nFirms: number;
  dominance: number;
  keywords: string[];
  centroid: Float32Array;
  /** Cosine of each member's centroid to the theme centroid (same order as `members`). */
  similarity: number[];
}

export interface ThemeModelStats {
  topics: number;
  firms: number;
  /** Clusters HDBSCAN returned. */
  clusters: number;
  /** Clusters that passed validation (= themes). */
  themes: number;
  failedFewFirms: number;
  failedDominance: number;
  /** Clusters whose keywords are call filler. */
  failedFiller: number;
  /** Topics left unthemed because their cluster failed validation. */
  topicsInFailedClusters: number;
  /** Topics HDBSCAN marked as noise. */
  noiseTopics: number;
  /** Noise topics attached to a valid theme by similarity. */
  attachedNoise: number;
  /** Share of topics in a valid theme. */
  coverage: number;
  /** Components of the kNN graph before they were joined. */
  graphComponents: number;
  /** The largest theme's share of all the quarter's topics. */
  largestShare: number;
  /** Why the themes look degenerate (a collapse), or null (see `degenerateReason`). */
  degenerate: string | null;
  minClusterSize: number;
  seconds: Record<string, number>;
}

export interface ThemeModelResult {
  themes: ThemeDraft[];
  /** Theme index of each input topic, or −1. */
  themeOf: Int32Array;
  stats: ThemeModelStats;
}
