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

test('the keyword namer gives one name per topic, fallback when a topic has no keywords', async () => {
  const named = await new KeywordNamer().nameFirmTopics(
    { firmId: 'X', firmName: null, ticker: 'X', quarter: '2021Q2' },
    [
      {
        topicId: 'X:2021Q2:t0',
        size: 9,
        keywords: ['stores', 'store openings', 'openings'],
        representativeSentences: [],
      },
      { topicId: 'X:2021Q2:t1', size: 5, keywords: [], representativeSentences: [] },
    ],
  );
  assert.deepEqual(named, [
    { id: 'X:2021Q2:t0', name: 'stores, store openings', nameSource: 'keywords', description: null },
    { id: 'X:2021Q2:t1', name: 'topic 1', nameSource: 'fallback', description: null },
  ]);
});
