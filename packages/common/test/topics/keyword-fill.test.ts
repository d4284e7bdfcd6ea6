import assert from 'node:assert/strict';
import { test } from 'vitest';
import { matrixFromRows } from '../../src/cluster/matrix.js';
import { KeywordNamer } from '../../src/naming/keywords.js';
import { dropTopics, fitFirmTopics } from '../../src/topics/firm-model.js';
import {
  fillFromRepresentatives,
  MIN_TOPIC_KEYWORDS,
  rankBySupport,
} from '../../src/topics/topic-keywords.js';

// Three tight groups of six sentences on three orthogonal axes; within a group sentence j sits at angle
// 0.02·k_j from the axis with k = 0, 1, 2, 3, 4, 6, so the centroid is at k ≈ 2.67 and the five representatives
// are, best first, k = 3, 2, 4, 1, 0 (sentences 3, 2, 4, 1, 0 of the group): the sixth (k = 6) is not one.
const K = [0, 1, 2, 3, 4, 6];
const onAxis = (axis: number) =>
  K.map((k) => {
    const v = [0, 0, 0];
    v[axis] = Math.cos(0.02 * k);
    v[(axis + 1) % 3] = Math.sin(0.02 * k);
    return v;
  });
const texts = [
  // Group A: "gadget" is in 4 of its sentences (well supported); "lathe" in 2 and "pulley" in 1 (plus one in C)
  // are in the firm's vocabulary (≥ 2 sentences) with less support; every other word is said once in the call.
  'gadget pulley.',
  'gadget lathe.',
  'gadget lathe ochre.',
  'The Acme and zinc.',
  'gadget quartz.',
  'umber.',
  // Group B: call filler; its representatives share one content word, and the words of its sixth sentence
  // (not a representative) are each said once.
  'hello there.',
  'hello.',
  'hello.',
  'the and there.',
  'hello.',
  'alpha beta gamma delta.',
  // Group C: five well-supported terms and "pulley".
  'valve pump seal.',
  'valve pump gasket.',
  'valve pump hose.',
  'seal gasket hose.',
  'valve seal pulley.',
  'pump gasket hose.',
];
const rows = [...onAxis(0), ...onAxis(1), ...onAxis(2)];
const options = {
  reducer: 'none' as const,
  maxTopicShare: 1,
  minClusterSize: 5,
  ngramMax: 1,
  // "acme" stands for the firm's name, as callStopWords adds it.
  stopWords: new Set(['the', 'and', 'there', 'acme']),
};

test('the fill order: well-supported terms, then lower-support ones, then words of the representatives', async () => {
  const fit = await fitFirmTopics(matrixFromRows(rows), texts, options);
  // B could not reach five terms: its sentences are outliers, A and C remain (numbered by size, then first member).
  assert.deepEqual([...fit.labels], [0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, 1, 1, 1, 1, 1, 1]);
  assert.equal(fit.nOutliersBefore, 6);
  const [a, c] = fit.topics;
  assert.deepEqual(a.representatives, [3, 2, 4, 1, 0]);
  // gadget (4 sentences) | lathe (2), pulley (1), by c-TF-IDF | words of the representatives that share a
  // word with the list, most shared first: sentence 2 (gadget, lathe: "ochre"), then 1 and 0 (two each,
  // nothing new), 4 (gadget: "quartz"). Sentence 3 shares none ("The", "Acme", "and" are excluded), so its
  // "zinc" is not taken; nor is "umber" (sentence 5 is no representative).
  assert.deepEqual(a.keywords, ['gadget', 'lathe', 'pulley', 'ochre', 'quartz']);
  assert.equal(a.keywordScores.length, 5);
  assert.ok(a.keywordScores.slice(0, 3).every((s) => s > 0));
  assert.deepEqual(a.keywordScores.slice(3), [0, 0]);
  // C: ≥ 3 sentences each, ties by the alphabet (pump/valve in 4, gasket/hose/seal in 3), then pulley (1).
  assert.deepEqual(c.keywords, ['pump', 'valve', 'gasket', 'hose', 'seal', 'pulley']);
  const names = await new KeywordNamer().nameFirmTopics(
    { firmId: 'ACME', firmName: 'Acme', ticker: 'ACME', quarter: '2021Q2' },
    fit.topics.map((t, i) => ({
      topicId: `ACME:2021Q2:t${i}`,
      size: t.members.length,
      keywords: t.keywords,
      representativeSentences: [],
    })),
  );
  assert.deepEqual(
    names.map((n) => n.name),
    ['gadget, lathe, pulley', 'pump, valve, gasket'],
  );
  for (const n of names) assert.doesNotMatch(n.name, /^topic \d+$/);
});

test('a topKeywords below five lowers the minimum to it', async () => {
  // topKeywords 1: every topic with one term is complete, so B is kept with its one keyword.
  const fit = await fitFirmTopics(matrixFromRows(rows), texts, { ...options, topKeywords: 1 });
  assert.deepEqual(
    fit.topics.map((t) => t.keywords),
    [['gadget'], ['hello'], ['pump']],
  );
  assert.equal(fit.nOutliersBefore, 0);
});

test('tiers 1 and 2: well-supported terms first, each tier by weight, ties by term id, at most n', () => {
  const weights = new Map([
    [0, 0.5],
    [1, 0.9],
    [2, 0.2],
    [3, 0.2],
    [4, 0],
  ]);
  const support = new Map([
    [0, 3],
    [1, 1],
    [2, 4],
    [3, 5],
    [4, 9],
  ]);
  const text = ['t0', 't1', 't2', 't3', 't4'];
  assert.deepEqual(
    rankBySupport(weights, support, 3, 10, text).map((r) => r.text),
    ['t0', 't2', 't3', 't1'],
  );
  assert.deepEqual(
    rankBySupport(weights, null, 3, 3, text).map((r) => r.text),
    ['t1', 't0', 't2'],
  );
});

test('tier 3 takes new single words of representatives sharing a word with the list, most shared first', () => {
  const ranked = [
    { term: 7, text: 'supply chain', score: 0.4 },
    { term: 2, text: 'freight', score: 0.3 },
  ];
  // Representative 2 shares "freight" and "chain" (a word of "supply chain", so not added again) and goes
  // first, then 0 (shares "freight"); 1 shares nothing and gives nothing.
  const reps = [
    ['ocean', 'freight', 'ocean freight', 'carriers'],
    ['thanks', 'everybody', 'thanks everybody'],
    ['freight', 'rates', 'freight rates', 'chain', 'rates'],
  ];
  assert.deepEqual(
    fillFromRepresentatives(ranked, reps, MIN_TOPIC_KEYWORDS).map((r) => [r.text, r.term, r.score]),
    [
      ['supply chain', 7, 0.4],
      ['freight', 2, 0.3],
      ['rates', -1, 0],
      ['ocean', -1, 0],
      ['carriers', -1, 0],
    ],
  );
  // Not enough words: everything new is taken, the list stays short (the model then drops the topic).
  assert.deepEqual(
    fillFromRepresentatives(ranked, reps.slice(0, 2), 5).map((r) => r.text),
    ['supply chain', 'freight', 'ocean', 'carriers'],
  );
  // An empty list shares nothing with any sentence: it stays empty.
  assert.deepEqual(fillFromRepresentatives([], reps, 5), []);
  assert.equal(ranked.length, 2);
});

test('dropping topics makes their sentences outliers and keeps the others in order', () => {
  const labels = Int32Array.from([0, 1, 2, -1, 3, 1, 2]);
  assert.deepEqual(dropTopics(labels, 4, [1, 3]), {
    labels: Int32Array.from([0, -1, 1, -1, -1, -1, 1]),
    nTopics: 2,
  });
});
