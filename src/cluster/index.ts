/** Generic numeric core: kNN, UMAP-style reduction, HDBSCAN, c-TF-IDF, MMR, representatives, k-means, metrics. */
export * from './agreement.js';
export * from './coherence.js';
export * from './ctfidf.js';
export * from './hdbscan.js';
export * from './kmeans.js';
export * from './knn.js';
export * from './matrix.js';
export * from './mmr.js';
export * from './mst.js';
export * from './representative.js';
export * from './rng.js';
export * from './sparse.js';
export * from './umap.js';
