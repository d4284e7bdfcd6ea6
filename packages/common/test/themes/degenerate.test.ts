import assert from 'node:assert/strict';
import { degenerateReason } from '@callthemes/common/themes';
import { test } from 'vitest';

test('degenerate themes: one theme over 25 % of topics, or under 5 themes, judged from 200 topics on', () => {
  assert.equal(degenerateReason(1790, 60, 90), null);
  assert.equal(
    degenerateReason(1790, 2, 1778),
    "one theme holds 99% of the quarter's 1790 topics (limit 25%)",
  );
  assert.equal(degenerateReason(1000, 30, 250), null);
  assert.match(degenerateReason(1000, 30, 251) ?? '', /one theme holds 25%/);
  assert.equal(degenerateReason(400, 4, 40), 'only 4 theme(s) from 400 topics (expected at least 5)');
  assert.equal(degenerateReason(400, 0, 0), 'only 0 theme(s) from 400 topics (expected at least 5)');
  // A quarter of a few firms is not judged.
  assert.equal(degenerateReason(56, 2, 22), null);
  assert.equal(degenerateReason(0, 0, 0), null);
});
