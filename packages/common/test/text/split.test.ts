import assert from 'node:assert/strict';
import { test } from 'vitest';
import { splitSentences } from '../../src/text/split.js';

/** What a case shows, then each text with the sentences it splits into. */
const CASES: [string, [string, string[]][]][] = [
  [
    'keeps abbreviations, initials, decimals and currency inside sentences',
    [
      [
        'Joining me is Michael P. Dickerson, our CFO. Revenue rose 3.5% to $1.2 billion at Acme Inc. and its U.S. unit. ' +
          'Mr. Smith will now speak. We expect No. 1 share in the U.K. market...',
        [
          'Joining me is Michael P. Dickerson, our CFO.',
          'Revenue rose 3.5% to $1.2 billion at Acme Inc. and its U.S. unit.',
          'Mr. Smith will now speak.',
          'We expect No. 1 share in the U.K. market...',
        ],
      ],
    ],
  ],
  [
    'an abbreviation ends a sentence when a sentence opener follows',
    [
      [
        'We sold the unit to Acme Inc. We grew sales in the U.S. The margin rose.',
        ['We sold the unit to Acme Inc.', 'We grew sales in the U.S.', 'The margin rose.'],
      ],
    ],
  ],
  [
    'questions, exclamations, ellipses and quotes',
    [
      [
        'Can you hear me? Great! So... We start. He said "done." Then we left.',
        ['Can you hear me?', 'Great!', 'So...', 'We start.', 'He said "done."', 'Then we left.'],
      ],
      ['Well... let me think about it.', ['Well... let me think about it.']],
    ],
  ],
  [
    'paragraphs and bullet-like fragments never join',
    [
      [
        'Highlights for the quarter\n- Revenue up 10%\n• Margin of 20.5%\n1) Net cash positive',
        ['Highlights for the quarter', 'Revenue up 10%', 'Margin of 20.5%', 'Net cash positive'],
      ],
    ],
  ],
  [
    'Q&A and sentence-final Q&A',
    [
      [
        'We will take questions in the Q&A. First, the results.',
        ['We will take questions in the Q&A.', 'First, the results.'],
      ],
      ['During Q&A we covered margins.', ['During Q&A we covered margins.']],
    ],
  ],
  [
    'a hyphenated form name ends a sentence; initials do not',
    [
      [
        'See our annual report on Form 10-K. Additionally, we refer to Plan A. We grew.',
        ['See our annual report on Form 10-K.', 'Additionally, we refer to Plan A. We grew.'],
      ],
    ],
  ],
];

for (const [what, texts] of CASES)
  test(what, () => {
    for (const [text, sentences] of texts) assert.deepEqual(splitSentences(text), sentences, text);
  });
