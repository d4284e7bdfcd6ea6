/**
 * Accuracy floor of the offline classifier on the held-out half of Financial PhraseBank (CC BY-NC-SA 3.0:
 * evaluation data, never in the repository). Reads `CALLTHEMES_PHRASEBANK`, else ../shared/data/
 * financial-phrasebank, else .cache/phrasebank; skips with a message when none is there.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { evaluate, halfOf, parseAtLabelled } from '../../src/sentiment/evaluate.js';
import { LexiconClassifier } from '../../src/sentiment/lexicon-classifier.js';
import { REPO_ROOT, SHARED_DATA, skipIf } from '../helpers/paths.js';

const dir = [
  process.env.CALLTHEMES_PHRASEBANK,
  join(SHARED_DATA, 'financial-phrasebank'),
  join(REPO_ROOT, '.cache', 'phrasebank'),
]
  .filter((d): d is string => Boolean(d))
  .find((d) => existsSync(join(d, 'Sentences_AllAgree.txt')));

it(
  'labels the held-out half of PhraseBank (all annotators agree) with ≥ 85% accuracy and ≥ 82% macro-F1',
  skipIf(!dir && 'Financial PhraseBank not found (set CALLTHEMES_PHRASEBANK to its folder)'),
  async () => {
    const raw = readFileSync(join(dir!, 'Sentences_AllAgree.txt'));
    const text = raw.includes(Buffer.from([0xc3])) ? raw.toString('utf8') : raw.toString('latin1');
    const rows = parseAtLabelled(text).filter((r) => halfOf(r.text) === 'test');
    assert.ok(rows.length > 1000, `${rows.length} sentences`);
    const pred = await new LexiconClassifier().classify(rows.map((r) => r.text));
    const e = evaluate(
      rows.map((r) => r.label),
      pred.map((p) => p.label),
    );
    assert.ok(e.accuracy >= 0.85, `accuracy ${e.accuracy}`);
    assert.ok(e.macroF1 >= 0.82, `macro-F1 ${e.macroF1}`);
  },
);
