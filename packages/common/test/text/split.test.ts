import assert from 'node:assert/strict';
import { test } from 'vitest';
import { splitSentences } from '../../src/text/split.js';

test('keeps abbreviations, initials, decimals and currency inside sentences', () => {
  const text =
    'Joining me is Michael P. Dickerson, our CFO. Revenue rose 3.5% to $1.2 billion at Acme Inc. and its U.S. unit. ' +
    'Mr. Smith will now speak. We expect No. 1 share in the U.K. market...';
  assert.deepEqual(splitSentences(text), [
    'Joining me is Michael P. Dickerson, our CFO.',
    'Revenue rose 3.5% to $1.2 billion at Acme Inc. and its U.S. unit.',
    'Mr. Smith will now speak.',
    'We expect No. 1 share in the U.K. market...',
  ]);
});

test('an abbreviation ends a sentence when a sentence opener follows', () => {
  assert.deepEqual(
    splitSentences('We sold the unit to Acme Inc. We grew sales in the U.S. The margin rose.'),
    ['We sold the unit to Acme Inc.', 'We grew sales in the U.S.', 'The margin rose.'],
  );
});

test('questions, exclamations, ellipses and quotes', () => {
  assert.deepEqual(splitSentences('Can you hear me? Great! So... We start. He said "done." Then we left.'), [
    'Can you hear me?',
    'Great!',
    'So...',
    'We start.',
    'He said "done."',
    'Then we left.',
  ]);
  assert.deepEqual(splitSentences('Well... let me think about it.'), ['Well... let me think about it.']);
});

test('paragraphs and bullet-like fragments never join', () => {
  assert.deepEqual(
    splitSentences('Highlights for the quarter\n- Revenue up 10%\n• Margin of 20.5%\n1) Net cash positive'),
    ['Highlights for the quarter', 'Revenue up 10%', 'Margin of 20.5%', 'Net cash positive'],
  );
});

test('Q&A and sentence-final Q&A', () => {
  assert.deepEqual(splitSentences('We will take questions in the Q&A. First, the results.'), [
    'We will take questions in the Q&A.',
    'First, the results.',
  ]);
  assert.deepEqual(splitSentences('During Q&A we covered margins.'), ['During Q&A we covered margins.']);
});

test('a hyphenated form name ends a sentence; initials do not', () => {
  assert.deepEqual(
    splitSentences('See our annual report on Form 10-K. Additionally, we refer to Plan A. We grew.'),
    ['See our annual report on Form 10-K.', 'Additionally, we refer to Plan A. We grew.'],
  );
});
