import assert from 'node:assert/strict';
import { test } from 'vitest';
import { adjustedRandIndex } from '../../src/cluster/agreement.js';
import { CooccurrenceIndex, topicDiversity } from '../../src/cluster/coherence.js';
import { buildVocabulary, classIdf, classTermCounts, cTfIdf, topTerms } from '../../src/cluster/ctfidf.js';
import { kmeans } from '../../src/cluster/kmeans.js';
import { matrixFromRows } from '../../src/cluster/matrix.js';
import { mmr } from '../../src/cluster/mmr.js';
import { nearestToCentroid } from '../../src/cluster/representative.js';
import { gaussianBlobs } from './blobs.js';

test('c-TF-IDF by hand: idf = log(1 + A/f) with A = int(mean terms per class), f = total count', () => {
  const docs = [['a', 'a'], ['b'], ['b', 'c'], ['d']];
  const labels = [0, 0, 1, -1];
  const vocab = buildVocabulary(docs);
  assert.deepEqual(vocab.terms, ['a', 'b', 'c', 'd']);
  const counts = classTermCounts(docs, labels, 2, vocab);
  // Class 0: a a b (3 terms), class 1: b c (2 terms): A = int(5 / 2) = 2; f(a) = 2, f(b) = 2, f(c) = 1.
  const idf = classIdf(counts, 4);
  assert.ok(Math.abs(idf[0] - Math.log(2)) < 1e-12);
  assert.ok(Math.abs(idf[2] - Math.log(3)) < 1e-12);
  const w = cTfIdf(counts, 4);
  assert.ok(Math.abs(w[0].get(0)! - (2 / 3) * Math.log(2)) < 1e-12);
  assert.ok(Math.abs(w[0].get(1)! - (1 / 3) * Math.log(2)) < 1e-12);
  assert.ok(Math.abs(w[1].get(2)! - 0.5 * Math.log(3)) < 1e-12);
  assert.deepEqual(
    topTerms(w[1], 5).map((t) => vocab.terms[t.term]),
    ['c', 'b'],
  );
  // BM25 idf and the square-rooted tf.
  const bm = classIdf(counts, 4, { bm25Weighting: true });
  assert.ok(Math.abs(bm[2] - Math.log(1 + (2 - 1 + 0.5) / 1.5)) < 1e-12);
  const r = cTfIdf(counts, 4, { reduceFrequentWords: true });
  assert.ok(Math.abs(r[0].get(0)! - Math.sqrt(2 / 3) * Math.log(2)) < 1e-12);
});

test('vocabulary min_df drops terms seen in fewer documents', () => {
  const v = buildVocabulary([['x', 'y'], ['x'], ['z', 'z']], { minDf: 2 });
  assert.deepEqual(v.terms, ['x']);
});

test('MMR picks the most relevant first, then trades relevance for novelty', () => {
  const query = [1, 0];
  const cands = [
    [1, 0.05],
    [1, 0.06],
    [0.7, 0.7],
  ];
  assert.deepEqual(mmr(query, cands, 3, 0), [0, 1, 2]);
  assert.deepEqual(mmr(query, cands, 2, 0.7), [0, 2]);
});

test('NPMI: always together = 1, never together = −1, partial by hand; diversity counts unique words', () => {
  const idx = new CooccurrenceIndex([['a', 'b'], ['a', 'b'], ['c'], ['c', 'd'], ['d']]);
  assert.ok(Math.abs(idx.npmi('a', 'b') - 1) < 1e-12);
  assert.equal(idx.npmi('a', 'c'), -1);
  // p(c) = 2/5, p(d) = 2/5, p(cd) = 1/5: log((1/5) / (4/25)) / −log(1/5).
  assert.ok(Math.abs(idx.npmi('c', 'd') - Math.log(1.25) / Math.log(5)) < 1e-12);
  assert.ok(Math.abs(idx.topicNpmi(['a', 'b', 'c']) - (1 - 1 - 1) / 3) < 1e-9);
  assert.equal(
    topicDiversity([
      ['a', 'b'],
      ['b', 'c'],
    ]),
    0.75,
  );
});

test('adjusted Rand index: scikit-learn reference values', () => {
  assert.equal(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0]), 1);
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2]) - 0.5714285714285714) < 1e-12);
  assert.ok(Math.abs(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])) < 1e-12);
});

test('k-means++ recovers separated blobs and is reproducible', () => {
  const { m, labels } = gaussianBlobs(400, 5, 10, 13);
  const a = kmeans(m, 5, { seed: 1 });
  assert.equal(adjustedRandIndex(a.labels, labels), 1);
  assert.deepEqual(kmeans(m, 5, { seed: 1 }).labels, a.labels);
});

test('representatives are the members nearest the centroid by cosine', () => {
  const m = matrixFromRows([
    [1, 0],
    [0.9, 0.1],
    [0, 1],
    [0.5, 0.5],
  ]);
  assert.deepEqual(nearestToCentroid(m, [0, 1, 2, 3], [1, 0.2], 2), [1, 0]);
});
