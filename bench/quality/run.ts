/**
 * Quality harness: per quarter, NPMI of each topic's top-10 keywords (co-occurrence within sentences of the
 * whole quarter), topic diversity (unique share of top-25 keywords), outlier share and topics per firm, for the
 * firm topic model and for k-means on the same vectors with the same k and the same c-TF-IDF keywords.
 *
 *   node --import @callthemes/common/register-source bench/quality/run.ts --source motley-json --quarter 2021Q2 [--firms N] [--model '{"nEpochs":500}']
 */
import {
  buildVocabulary,
  classTermCounts,
  cTfIdf,
  kmeans,
  matrixFromRows,
  normalizeRows,
  topTerms,
} from '@callthemes/common/cluster';
import { termsOf } from '@callthemes/common/text';
import { callStopWords, fitFirmTopics } from '@callthemes/common/topics';
import { mean, npmiBench, printTable, quantile, scoreTopics, type TopicScores } from '../common.js';

const { args, embedder, firms, ref, vectors } = await npmiBench();
const ours: TopicScores[] = [];
// Keyword-list lengths of our topics (the minimum is 5 unless topKeywords is lower).
let ourTopics = 0;
let ourShort = 0;
const base: TopicScores[] = [];
const embedTerms = (terms: readonly string[]) => embedder.embed(terms);
for (const [i, f] of firms.entries()) {
  const stopWords = callStopWords(f.transcript);
  const m = matrixFromRows(vectors[i], embedder.dim);
  const fit = await fitFirmTopics(m, f.texts, { ...args.model, stopWords, topKeywords: 25 }, embedTerms);
  ourTopics += fit.topics.length;
  ourShort += fit.topics.filter((t) => t.keywords.length < 5).length;
  ours.push(
    scoreTopics(
      ref,
      fit.topics.map((t) => t.keywords),
      fit.labels,
    ),
  );
  // Baseline: k-means with the same number of topics (at least 2), every sentence assigned.
  const k = Math.min(Math.max(2, fit.topics.length), m.rows);
  const km = kmeans(normalizeRows(m), k, { seed: 42 });
  const docs = f.texts.map((t) => termsOf(t, { ngramMax: 2, stopWords }));
  const vocab = buildVocabulary(docs, { minDf: 2 });
  const w = cTfIdf(classTermCounts(docs, km.labels, k, vocab), vocab.terms.length);
  base.push(
    scoreTopics(
      ref,
      w.map((row) => topTerms(row, 25).map((x) => vocab.terms[x.term])),
      km.labels,
    ),
  );
}
const row = (name: string, s: TopicScores[]) => [
  name,
  s.length,
  mean(s.map((x) => x.nTopics)),
  `${quantile(
    s.map((x) => x.nTopics),
    0.1,
  )}–${quantile(
    s.map((x) => x.nTopics),
    0.9,
  )}`,
  `${(100 * mean(s.map((x) => x.outlierShare))).toFixed(1)}%`,
  mean(s.map((x) => x.npmi)),
  mean(s.map((x) => x.diversity)),
];
console.log(
  `quality ${args.source} ${args.quarter}: ${firms.length} firms, ${ref.nDocs} reference sentences, model ${JSON.stringify(args.model)}`,
);
printTable(
  ['method', 'firms', 'topics/firm', 'p10–p90', 'outliers', 'NPMI top-10', 'diversity top-25'],
  [row('callthemes (UMAP+HDBSCAN)', ours), row('k-means, same k', base)],
);
// The same figures unrounded, to compare runs whose table rows agree to three places.
const exact = (s: TopicScores[]) =>
  `NPMI ${mean(s.map((x) => x.npmi)).toFixed(5)}, diversity ${mean(s.map((x) => x.diversity)).toFixed(5)}, ` +
  `outliers ${(100 * mean(s.map((x) => x.outlierShare))).toFixed(3)}%`;
console.log(`callthemes: ${exact(ours)}; ${ourTopics} topics, ${ourShort} with < 5 keywords`);
console.log(`k-means:    ${exact(base)}`);
