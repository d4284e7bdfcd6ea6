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

test('hand-offs, slide signposts and where the release is are call logistics; results said beside a slide are not', () => {
  const logistics = [
    "On that note, I'll turn our call over to Scott for more detail on our sales results for the quarter.",
    'Turning now to slide two in the presentation.',
    'Please turn to slide three in our presentation for a review of our second quarter highlights.',
    'Jeremy will provide a detailed review of our financial and operating results, followed by Q&A.',
    'The press release, presentation, and transcript of these prepared remarks are currently available online.',
    'This earnings presentation is available for download on the investor website under the Presentations tab.',
    'Please access the Investor Relations section of our website to view the earnings release.',
  ];
  for (const text of logistics)
    assert.equal(boilerplateFilter(text, 'executive', { minTokens: 5 }), 'greeting', text);
  const content = [
    'As shown on slide five, revenue grew 10% to $2.1 billion on strong demand for our connectivity products.',
    'We released our new platform in June and it is now available to every customer in Europe.',
    'Supply chain constraints on semiconductors will limit our production of vehicles through the third quarter.',
  ];
  for (const text of content)
    assert.equal(boilerplateFilter(text, 'executive', { minTokens: 5 }), null, text);
});
