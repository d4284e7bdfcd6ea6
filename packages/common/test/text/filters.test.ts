import assert from 'node:assert/strict';
import { test } from 'vitest';
import { removeAnnotations } from '../../src/text/clean.js';
import { boilerplateFilter } from '../../src/text/filters.js';
import { countWordTokens, ngrams, tokenize } from '../../src/text/tokens.js';

test('annotations are removed', () => {
  assert.equal(
    removeAnnotations('[Operator Instructions] Our first question (inaudible) comes from Bob.').trim(),
    'Our first question comes from Bob.',
  );
});

test('each boilerplate filter fires on its kind of sentence and not on content', () => {
  const cases: [string, string, string | null][] = [
    ['Your line is open.', 'operator', 'operator'],
    [
      'Today we will make forward-looking statements that involve risks and uncertainties.',
      'executive',
      'safe_harbor',
    ],
    [
      'We undertake no obligation to update these statements for new information.',
      'executive',
      'safe_harbor',
    ],
    [
      'A reconciliation of non-GAAP measures to GAAP is available in our press release on the website.',
      'executive',
      'non_gaap',
    ],
    ['Thank you, Jay, and good morning, everyone.', 'executive', 'greeting'],
    ["Good morning, and welcome to Acme's second quarter earnings call.", 'executive', 'greeting'],
    ['Okay, got it.', 'analyst', 'short'],
    ['Revenue grew 12% on strong demand for our cloud products in Europe.', 'executive', null],
    ['Non-GAAP gross margin expanded 150 basis points to 62% on better pricing and mix.', 'executive', null],
    [
      'Thank you for the question, demand in our industrial segment stayed strong through June and July.',
      'executive',
      null,
    ],
  ];
  for (const [text, role, expected] of cases) {
    assert.equal(boilerplateFilter(text, role, { minTokens: 5 }), expected, text);
  }
});

test('tokens and n-grams', () => {
  assert.deepEqual(tokenize("Q2 EPS rose 3.5% at AT&T's U.S. unit"), [
    'q2',
    'eps',
    'rose',
    '3.5%',
    'at',
    "at&t's",
    'u.s',
    'unit',
  ]);
  assert.equal(countWordTokens('Up 3.5% in 2021 vs. plan'), 4);
  assert.deepEqual(ngrams(['a', 'b', 'c'], 1, 2), ['a', 'b', 'c', 'a b', 'b c']);
});
