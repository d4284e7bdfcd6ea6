/**
 * Quality sweep: several firm-model settings over the same firms in one process (vectors and the NPMI reference
 * built once), one row per setting. Besides the harness's measures it prints the share of top-10 keyword pairs
 * that never share a sentence in the quarter (each scores −1 in NPMI), which explains most of the NPMI gaps, and
 * the share of topics with fewer than 10 keywords (NPMI averages over the pairs a topic has).
 *
 *   node --import @callthemes/common/register-source bench/quality/sweep.ts --source motley-json --quarter 2021Q1 --firms 40 \
 *     --models '[{}, {"ngramMax": 1}, {"maxTopicShare": 1}]'
 */
import { matrixFromRows } from '@callthemes/common/cluster';
import { fitFirmTopics } from '@callthemes/common/topics';
import { mean, npmiBench, printTable, quantile, scoreTopics, stopWordChoice } from '../common.js';

const { args, embedder, firms, ref, vectors } = await npmiBench({
  models: { type: 'string', default: '[{}]' },
});
const models = JSON.parse(String(args.values.models)) as Record<string, unknown>[];
const mats = vectors.map((v) => matrixFromRows(v, embedder.dim));
console.log(`sweep ${args.source} ${args.quarter}: ${firms.length} firms, ${ref.nDocs} reference sentences`);
const rows: (string | number)[][] = [];
for (const model of models) {
  // Stop-word switches (qaWords, speakerNames, stopWords) are the bench's own: see stopWordChoice.
  const { settings: rest, stopWordsFor } = stopWordChoice(model);
  const s = [];
  let pairs = 0;
  let never = 0;
  let topics = 0;
  let short = 0;
  for (const [i, f] of firms.entries()) {
    const fit = await fitFirmTopics(mats[i], f.texts, {
      ...rest,
      stopWords: stopWordsFor(f),
      topKeywords: 25,
    });
    const keywords = fit.topics.map((t) => t.keywords);
    s.push(scoreTopics(ref, keywords, fit.labels));
    for (const k of keywords) {
      const top = k.slice(0, 10);
      topics++;
      if (top.length < 10) short++;
      for (let a = 0; a < top.length; a++)
        for (let b = a + 1; b < top.length; b++) {
          pairs++;
          if (ref.together(top[a], top[b]) === 0) never++;
        }
    }
  }
  const nTopics = s.map((x) => x.nTopics);
  rows.push([
    JSON.stringify(model),
    mean(nTopics),
    `${+quantile(nTopics, 0.1).toFixed(1)}–${+quantile(nTopics, 0.9).toFixed(1)}`,
    `${(100 * mean(s.map((x) => x.outlierShare))).toFixed(1)}%`,
    mean(s.map((x) => x.npmi)),
    `${((100 * never) / Math.max(1, pairs)).toFixed(1)}%`,
    mean(s.map((x) => x.diversity)),
    `${((100 * short) / Math.max(1, topics)).toFixed(1)}%`,
  ]);
  console.log(`done ${JSON.stringify(model)}`);
}
printTable(
  [
    'model',
    'topics/firm',
    'p10–p90',
    'outliers',
    'NPMI top-10',
    'pairs never together',
    'diversity',
    '< 10 keywords',
  ],
  rows,
);
