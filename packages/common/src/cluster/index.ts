/** Generic numeric core: kNN, UMAP-style reduction, HDBSCAN, c-TF-IDF, MMR, representatives, k-means, metrics. */
export { adjustedRandIndex } from './agreement.js';
export {
  knnGraphOf,
  type NeighborSearch,
  type NeighborSearchOptions,
  type Neighbors,
  neighborSearch,
} from './ann.js';
export { CooccurrenceIndex, topicDiversity } from './coherence.js';
export {
  buildVocabulary,
  type CtfidfOptions,
  classIdf,
  classTermCounts,
  cTfIdf,
  type SparseRow,
  topTerms,
  type Vocabulary,
  type VocabularyOptions,
} from './ctfidf.js';
export { jacobiEigen, topEigenvectors } from './eigen.js';
export {
  type ClusterSelection,
  type CondensedTree,
  clusterStability,
  condenseTree,
  type HdbscanOptions,
  type HdbscanResult,
  hdbscan,
  hdbscanFromTree,
  labelPoints,
  type SingleLinkage,
  selectClusters,
  singleLinkage,
} from './hdbscan.js';
export { type KdMstResult, KdTree, type KdTreeOptions, mutualReachabilityMstKdTree } from './kdtree.js';
export { type KmeansResult, kmeans } from './kmeans.js';
export { approximateKnn, exactKnn, type KnnGraph, type KnnOptions, knn, type Metric } from './knn.js';
export {
  type EdgeSchedule,
  edgeSchedule,
  type LayoutOptions,
  optimizeLayout,
  type PowerTables,
  powerTables,
  powFixed,
  rescaleLayout,
} from './layout.js';
export {
  centredUnitRows,
  cosine,
  dot,
  type Matrix,
  materialize,
  matrix,
  matrixFromRows,
  meanRow,
  norm,
  normalizeRows,
  pairDistance,
  type RowSource,
  rowOf,
  rowSource,
  selectRows,
} from './matrix.js';
export { mmr } from './mmr.js';
export {
  coreDistancesFromKnn,
  countComponents,
  DisjointSet,
  mutualReachabilityMstDense,
  mutualReachabilityMstFromKnn,
  type SpanningTree,
  spanningTreeFromEdges,
} from './mst.js';
export {
  type ConnectedMst,
  type ConnectedMstOptions,
  connectedMutualReachabilityMst,
} from './mst-connect.js';
export { COVARIANCE_MAX_DIMS, fitPca, type PcaModel, type PcaOptions, projectPca } from './pca.js';
export { centroids, groupMembers, nearestToCentroid } from './representative.js';
export { Rng } from './rng.js';
export { rowProducts } from './row-products.js';
export { sharedFloat32 } from './row-products-pool.js';
export { type SparseGraph, sparseFromTriples } from './sparse.js';
export {
  findAbParams,
  fuzzySimplicialSet,
  pcaInit,
  smoothKnnDist,
  spectralInit,
  type UmapOptions,
  umap,
} from './umap.js';
