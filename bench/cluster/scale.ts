/**
 * Scale check of the generic core for the cross-firm stage: seeded Gaussian blobs (100-d), HNSW kNN → UMAP to
 * 5-d → HDBSCAN on the kNN-graph MST; CPU seconds per step and ARI against the blobs.
 *
 *   node --import @callthemes/common/register-source bench/cluster/scale.ts --n 20000 [--epochs 200] [--threads 2]
 */
import { parseArgs } from 'node:util';
import {
  adjustedRandIndex,
  approximateKnn,
  hdbscanFromTree,
  mutualReachabilityMstFromKnn,
  Rng,
  umap,
} from '@callthemes/common/cluster';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20000' },
    epochs: { type: 'string', default: '200' },
    threads: { type: 'string', default: '2' },
  },
});
const n = Number(values.n);
const dim = 100;
const k = 40;
const rng = new Rng(5);
const centers = Array.from({ length: k }, () => Array.from({ length: dim }, () => rng.normal() * 3));
const data = new Float32Array(n * dim);
const truth = new Int32Array(n);
for (let i = 0; i < n; i++) {
  truth[i] = i % k;
  for (let d = 0; d < dim; d++) data[i * dim + d] = centers[i % k][d] + rng.normal();
}
const m = { rows: n, cols: dim, data };
const timed = <T>(fn: () => T): [T, number, number] => {
  const c = process.cpuUsage();
  const w = performance.now();
  const r = fn();
  const u = process.cpuUsage(c);
  return [r, (u.user + u.system) / 1e6, (performance.now() - w) / 1000];
};
const [g, knnCpu, knnWall] = timed(() =>
  approximateKnn(m, 14, { metric: 'cosine', threads: Number(values.threads) }),
);
const [emb, umapCpu, umapWall] = timed(() =>
  umap(m, { knn: g, nComponents: 5, minDist: 0, nEpochs: Number(values.epochs) }),
);
const [res, hdbCpu, hdbWall] = timed(() => {
  const g5 = approximateKnn(emb, 15, { metric: 'euclidean', threads: Number(values.threads) });
  return hdbscanFromTree(mutualReachabilityMstFromKnn(g5, 10).tree, { minClusterSize: 50 });
});
console.log(`n=${n} dim=${dim} blobs=${k} epochs=${values.epochs} threads=${values.threads}`);
console.log(`kNN (HNSW) ${knnCpu.toFixed(1)} s CPU / ${knnWall.toFixed(1)} s wall`);
console.log(`UMAP       ${umapCpu.toFixed(1)} s CPU / ${umapWall.toFixed(1)} s wall`);
console.log(`HDBSCAN    ${hdbCpu.toFixed(1)} s CPU / ${hdbWall.toFixed(1)} s wall (kNN MST)`);
console.log(
  `clusters ${res.nClusters}, noise ${res.labels.filter((l) => l < 0).length}, ARI ${adjustedRandIndex(res.labels, truth).toFixed(4)}`,
);
