import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { evaluate, parseAtLabelled } from '../../src/sentiment/evaluate.js';
import type { SentimentLabel } from '../../src/sentiment/types.js';

describe('evaluation metrics', () => {
  it('computes accuracy and macro-F1 as a hand count does', () => {
    const P = 'positive';
    const N = 'negative';
    const U = 'neutral';
    const gold: SentimentLabel[] = [P, P, P, N, N, U, U, U, U, U];
    const pred: SentimentLabel[] = [P, P, U, N, P, U, U, U, N, U];
    const e = evaluate(gold, pred);
    assert.equal(e.accuracy, 7 / 10);
    // positive: tp 2, predicted 3, support 3 → p 2/3 r 2/3 f1 2/3
    // negative: tp 1, predicted 2, support 2 → p 1/2 r 1/2 f1 1/2
    // neutral: tp 4, predicted 5, support 5 → p 4/5 r 4/5 f1 4/5
    assert.ok(Math.abs(e.perClass.positive.f1 - 2 / 3) < 1e-12);
    assert.ok(Math.abs(e.perClass.negative.f1 - 1 / 2) < 1e-12);
    assert.ok(Math.abs(e.perClass.neutral.f1 - 4 / 5) < 1e-12);
    assert.ok(Math.abs(e.macroF1 - (2 / 3 + 1 / 2 + 4 / 5) / 3) < 1e-12);
    assert.equal(e.confusion.negative.positive, 1);
    assert.equal(e.confusion.neutral.negative, 1);
  });

  it('parses sentence@label lines by the last @ and reports bad lines', () => {
    const bad: number[] = [];
    const rows = parseAtLabelled(
      'Sales rose @ 5 % .@positive\nNo label here\nProfit fell .@negative\nX@maybe\n',
      (l) => bad.push(l),
    );
    assert.deepEqual(rows, [
      { text: 'Sales rose @ 5 % .', label: 'positive' },
      { text: 'Profit fell .', label: 'negative' },
    ]);
    assert.deepEqual(bad, [2, 4]);
  });
});
