import assert from 'node:assert/strict';
import { test } from 'vitest';
import { KeywordNamer, keywordName } from '../../src/naming/keywords.js';

test('keyword names: leading keywords, a longer n-gram absorbs its words, repeats are skipped', () => {
  assert.equal(
    keywordName(['supply', 'supply chain', 'freight', 'chain', 'inventory']),
    'supply chain, freight, inventory',
  );
  assert.equal(keywordName(['cash flow', 'cash', 'free cash', 'capex']), 'cash flow, free cash, capex');
  assert.equal(keywordName(['dividend']), 'dividend');
  assert.equal(keywordName([]), '');
});

test('the keyword namer gives one name per topic from its keywords, never a placeholder', async () => {
  const named = await new KeywordNamer().nameFirmTopics(
    { firmId: 'X', firmName: null, ticker: 'X', quarter: '2021Q2' },
    [
      {
        topicId: 'X:2021Q2:t0',
        size: 9,
        keywords: ['stores', 'store openings', 'openings'],
        representativeSentences: [],
      },
      { topicId: 'X:2021Q2:t1', size: 5, keywords: ['', 'topic', 'dividend'], representativeSentences: [] },
    ],
  );
  assert.deepEqual(named, [
    { id: 'X:2021Q2:t0', name: 'stores, store openings', nameSource: 'keywords', description: null },
    { id: 'X:2021Q2:t1', name: 'topic, dividend', nameSource: 'keywords', description: null },
  ]);
  for (const n of named) assert.doesNotMatch(n.name, /^topic \d+$/);
});

test('the keyword namer refuses a topic without keywords, naming it, rather than inventing "topic N"', async () => {
  const namer = new KeywordNamer();
  const firm = { firmId: 'X', firmName: null, ticker: 'X', quarter: '2021Q2' };
  await assert.rejects(
    namer.nameFirmTopics(firm, [
      { topicId: 'X:2021Q2:t0', size: 9, keywords: ['stores'], representativeSentences: [] },
      { topicId: 'X:2021Q2:t1', size: 5, keywords: [' '], representativeSentences: [] },
    ]),
    /^Error: topic X:2021Q2:t1: no keywords to name it by$/,
  );
  await assert.rejects(
    namer.nameFirmTopics(firm, [
      { topicId: 'X:2021Q2:t2', size: 5, keywords: [], representativeSentences: [] },
    ]),
    /topic X:2021Q2:t2: no keywords/,
  );
});
