import assert from 'node:assert/strict';
import { test } from 'vitest';
import { KeywordThemeNamer, themeKeywordName } from '../../src/naming/theme-keywords.js';

test('keyword theme names: leading keywords, longer n-grams absorb their words', () => {
  assert.equal(
    themeKeywordName(['ratio', 'combined ratio', 'loss ratio', 'improvement']),
    'combined ratio, loss ratio, improvement',
  );
  assert.equal(themeKeywordName(['supply', 'chain', 'supply chain', 'freight']), 'supply chain, freight');
});

test('the keyword namer names every theme in order; no keywords → fallback', async () => {
  const names = await new KeywordThemeNamer().nameThemes('2021Q2', [
    {
      themeId: '2021Q2:th0',
      keywords: ['loans', 'ppp loans', 'credit'],
      memberTopicNames: [],
      nFirms: 5,
      nTopics: 9,
    },
    { themeId: '2021Q2:th1', keywords: [], memberTopicNames: [], nFirms: 3, nTopics: 5 },
  ]);
  assert.deepEqual(names, [
    { id: '2021Q2:th0', name: 'ppp loans, credit', nameSource: 'keywords', description: null },
    { id: '2021Q2:th1', name: 'theme 2021Q2:th1', nameSource: 'fallback', description: null },
  ]);
});
