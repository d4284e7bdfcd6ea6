/**
 * The reduction step of the firm topic model, piece by piece, on real calls: exact kNN, fuzzy simplicial set,
 * spectral start, SGD layout. The layout is timed twice from the same start on the same graph, with the current
 * loop and with the loop before it was specialised (bench/firm/layout-before.ts), alternating which runs first,
 * so the ratio comes from one process on one machine state. CPU milliseconds per firm, median of --repeats.
 *
 *   node --import @callthemes/common/register-source bench/firm/reduce.ts --source motley-json --quarter 2021Q2 [--firms N] [--repeats 5] [--epochs 50]
 *     [--init-iterations 20]
 */
import {
  exactKnn,
  findAbParams,
  fuzzySimplicialSet,
  matrixFromRows,
  normalizeRows,
  optimizeLayout,
  Rng,
  spectralInit,
} from '@callthemes/common/cluster';
import { SifEmbedder } from '@callthemes/common/embed';
import { callStopWords, DEFAULT_FIRM_TOPIC_OPTIONS, embeddingTexts } from '@callthemes/common/topics';
import { benchArgs, loadQuarter, printTable, quantile } from '../common.js';
import { optimizeLayoutBefore } from './layout-before.js';

const args = benchArgs({
  repeats: { type: 'string', default: '5' },
  epochs: { type: 'string', default: '50' },
  dim: { type: 'string', default: '5' },
  'init-iterations': { type: 'string', default: String(DEFAULT_FIRM_TOPIC_OPTIONS.spectralIterations) },
});
const repeats = Number(args.values.repeats);
const nEpochs = Number(args.values.epochs);
const dim = Number(args.values.dim);
const initIterations = Number(args.values['init-iterations']);
const embedder = SifEmbedder.load();
const firms = await loadQuarter(args.source, args.input, args.quarter, args.firms);
const units = await Promise.all(
  // What the firm stage embeds (createTopicAnalyzer): the sentences without the call's stop words.
  firms.map(async (f) =>
    normalizeRows(
      matrixFromRows(
        await embedder.embed(embeddingTexts(f.texts, callStopWords(f.transcript))),
        embedder.dim,
      ),
    ),
  ),
);
const { a, b } = findAbParams(1, 0);

type Step = 'knn' | 'fuzzy' | 'init' | 'layout' | 'layout before';
const STEPS: Step[] = ['knn', 'fuzzy', 'init', 'layout', 'layout before'];
const cpuMs = <T>(f: () => T): [T, number] => {
  const c = process.cpuUsage();
  const out = f();
  const d = process.cpuUsage(c);
  return [out, (d.user + d.system) / 1000];
};

const runs: Record<Step, number>[][] = units.map(() => []);
// One untimed pass over the first firm warms the JIT for every piece.
for (let r = -1; r < repeats; r++) {
  for (const [i, unit] of units.entries()) {
    if (r < 0 && i > 0) break;
    const [g, tKnn] = cpuMs(() => exactKnn(unit, 14, 'cosine', { unitRows: true }));
    const [graph, tFuzzy] = cpuMs(() => fuzzySimplicialSet(g, 15));
    const [start, tInit] = cpuMs(() => spectralInit(graph, dim, new Rng(42), initIterations));
    const layouts = {
      layout: () => optimizeLayout(graph, Float64Array.from(start), dim, { nEpochs, a, b }, new Rng(42)),
      'layout before': () =>
        optimizeLayoutBefore(graph, Float64Array.from(start), dim, { nEpochs, a, b }, new Rng(42)),
    };
    const order =
      (r + i) % 2 === 0 ? (['layout', 'layout before'] as const) : (['layout before', 'layout'] as const);
    const t: Record<Step, number> = { knn: tKnn, fuzzy: tFuzzy, init: tInit, layout: 0, 'layout before': 0 };
    for (const s of order) t[s] = cpuMs(layouts[s])[1];
    if (r < 0) continue;
    runs[i].push(t);
  }
}
const medians = runs.map(
  (rs) =>
    Object.fromEntries(
      STEPS.map((s) => [
        s,
        quantile(
          rs.map((x) => x[s]),
          0.5,
        ),
      ]),
    ) as Record<Step, number>,
);
const sizes = units.map((u) => u.rows);
console.log(
  `reduce ${args.source} ${args.quarter}: ${units.length} firms, sentences/firm p50 ${quantile(sizes, 0.5)}, ` +
    `${dim}-d, ${nEpochs} epochs, ${initIterations} spectral iterations, CPU ms per firm (median of ${repeats})`,
);
const stats = (xs: number[]) => [
  quantile(xs, 0.5),
  quantile(xs, 0.9),
  xs.reduce((p, q) => p + q, 0) / xs.length,
];
const total = (m: Record<Step, number>, layout: 'layout' | 'layout before') =>
  m.knn + m.fuzzy + m.init + m[layout];
printTable(
  ['step', 'p50 ms', 'p90 ms', 'mean ms'],
  [
    ...STEPS.map((s) => [s, ...stats(medians.map((m) => m[s]))]),
    ['reduce total', ...stats(medians.map((m) => total(m, 'layout')))],
    ['reduce total, layout before', ...stats(medians.map((m) => total(m, 'layout before')))],
  ],
);
const ratio = (xs: number[]) => quantile(xs, 0.5).toFixed(2);
console.log(
  `layout before / layout, per firm: median ${ratio(medians.map((m) => m['layout before'] / m.layout))}×; ` +
    `reduce total: median ${ratio(medians.map((m) => total(m, 'layout before') / total(m, 'layout')))}×`,
);
