/**
 * Why eom selection collapsed a quarter (issue 29): the theme model's steps up to the condensed tree, as
 * fitThemes runs them (keyword vectors at weight 1, PCA 32, UMAP 5-d, k-d tree MST, min cluster size 8 as eom
 * used), then per seed the root's children (size @ λ), and for the big child (the "glob") its eom stability
 * against the best its children's subtrees can give: a ratio above 1 means eom picks the glob as one theme.
 * `--drop N` removes N leading principal directions first; `--init`, `--epochs`, `--nn`, `--kw` vary the layout.
 * --verbose prints the root split and the small group's topics per seed.
 *
 *   node --import @callthemes/common/register-source bench/themes/root-split.ts --lake ./lake --quarter 2020Q3 --seeds 1,2,3,4,5
 */
import {
  clusterStability,
  condenseTree,
  countComponents,
  fitPca,
  fuzzySimplicialSet,
  KdTree,
  knnGraphOf,
  matrixFromRows,
  mutualReachabilityMstKdTree,
  neighborSearch,
  projectPca,
  singleLinkage,
  umap,
} from '@callthemes/common/cluster';
import { SifEmbedder } from '@callthemes/common/embed';
import { LocalLakeStore } from '@callthemes/common/lake';
import { topicVectors } from '@callthemes/common/themes';
import { readQuarterTopics } from '@callthemes/theme-worker';
import { benchFlags } from '../flags.js';

const values = benchFlags({
  lake: undefined,
  quarter: undefined,
  seeds: '1,2,3',
  init: 'spectral',
  epochs: 100,
  nn: 15,
  pre: 32,
  kw: 1,
  drop: 0,
  verbose: false,
});
const store = new LocalLakeStore(values.lake!);
const { topics } = await readQuarterTopics(store, values.quarter!);
const emb = SifEmbedder.load();
const kv = matrixFromRows(await emb.embed(topics.map((t) => t.keywords.join(' '))), emb.dim);
const n = topics.length;
const neighbors = values.nn;
const ratios: string[] = [];
for (const seed of values.seeds.split(',').map(Number)) {
  const unit = topicVectors(topics, values.kw > 0 ? kv : undefined, values.kw);
  let input = projectPca(unit, fitPca(unit, values.pre, { seed }));
  const drop = values.drop;
  if (drop > 0) {
    // drop the leading components (after centring by PCA)
    const d = input.cols;
    const out = new Float32Array(n * (d - drop));
    for (let i = 0; i < n; i++)
      for (let c = drop; c < d; c++) out[i * (d - drop) + c - drop] = input.data[i * d + c];
    input = { rows: n, cols: d - drop, data: out } as typeof input;
  }
  const g = knnGraphOf(neighborSearch(input, { metric: 'euclidean' }), neighbors);
  const fz = fuzzySimplicialSet(g, neighbors + 1);
  let wMax = 0;
  for (const w of fz.weights) wMax = Math.max(wMax, w);
  const space = umap(input, {
    nComponents: 5,
    nNeighbors: neighbors + 1,
    knn: g,
    metric: 'euclidean',
    minDist: 0,
    seed,
    nEpochs: values.epochs,
    init: values.init as 'spectral',
  });
  const kd = new KdTree(space);
  const graph = kd.knnGraph(neighbors);
  const tree = mutualReachabilityMstKdTree(space, 3, { tree: kd, graph }).tree;
  const mcs = Math.max(8, Math.round(n / 1000));
  const ct = condenseTree(singleLinkage(tree), mcs);
  const stab = clusterStability(ct);
  const kids = (c: number) => {
    const out: { id: number; size: number; lambda: number }[] = [];
    for (let r = 0; r < ct.child.length; r++)
      if (ct.parent[r] === c && ct.child[r] >= n)
        out.push({ id: ct.child[r], size: ct.childSize[r], lambda: ct.lambda[r] });
    return out;
  };
  const root = kids(n);
  const big = root.sort((a, b) => b.size - a.size)[0];
  const sub = kids(big.id);
  // subtree best stability sum (eom recursion)
  const best = (c: number): number => {
    const k = kids(c);
    const s = k.reduce((a, x) => a + best(x.id), 0);
    return Math.max(s, stab[c - n]);
  };
  const bigKidsBest = sub.reduce((a, x) => a + best(x.id), 0);
  // extents of layout
  const ext = [];
  for (let c = 0; c < 5; c++) {
    let lo = 1e9,
      hi = -1e9;
    for (let i = 0; i < n; i++) {
      const v = space.data[i * 5 + c];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    ext.push((hi - lo).toFixed(1));
  }
  // small group members
  const small = root.filter((x) => x !== big);
  const members: number[] = [];
  const collect = (c: number) => {
    for (let r = 0; r < ct.child.length; r++)
      if (ct.parent[r] === c) {
        if (ct.child[r] < n) members.push(ct.child[r]);
        else collect(ct.child[r]);
      }
  };
  for (const s of small) collect(s.id);
  ratios.push(
    `${(stab[big.id - n] / bigKidsBest).toFixed(2)}${root.map((x) => x.size).sort((a, b) => a - b)[0]}`,
  );
  if (values.verbose)
    console.log(
      `seed ${seed}: components(input graph) ${countComponents(g)}, root kids ${root.map((x) => `${x.size}@${x.lambda.toFixed(3)}`).join(' ')}, glob stab ${stab[big.id - n].toFixed(1)} vs kids best ${bigKidsBest.toFixed(1)}; glob first split ${sub.map((x) => `${x.size}@${x.lambda.toFixed(3)}`).join(' ')}; extents ${ext.join(',')}`,
    );
  if (values.verbose)
    console.log(
      '   small group: ' +
        members
          .slice(0, 12)
          .map((i) => `${topics[i].firmId}:${topics[i].keywords.slice(0, 3).join('/')}`)
          .join('; '),
    );
}
console.log(
  `${JSON.stringify({ init: values.init, epochs: values.epochs, nn: values.nn, pre: values.pre, kw: values.kw, drop: values.drop })} glob/kids(smallest root child): ${ratios.join(' ')}`,
);
