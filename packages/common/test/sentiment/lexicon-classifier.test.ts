import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { LEXICON_MODEL, LexiconClassifier } from '../../src/sentiment/lexicon-classifier.js';
import { vaderLexicon } from '../../src/sentiment/vader-lexicon.js';
import { EXAMPLES_ECTSUM } from '../helpers/paths.js';

const clf = new LexiconClassifier();
const label = (t: string) => clf.classifyOne(t).label;

describe('lexicon classifier', () => {
  it('loads the VADER base lexicon from the installed package', () => {
    const lex = vaderLexicon();
    assert.ok(lex.size > 7000, `${lex.size} words`);
    assert.equal(lex.get('good'), 1.9);
    assert.equal(clf.model, LEXICON_MODEL);
  });

  it('scores direction by the metric it moves: more revenue is good, more cost is bad', () => {
    assert.equal(label('Revenue increased 12% to $1.2 billion.'), 'positive');
    assert.equal(label('Revenue declined 8% to $900 million.'), 'negative');
    assert.equal(label('Operating expenses declined 5% year over year.'), 'positive');
    assert.equal(label('Operating expenses increased 9% year over year.'), 'negative');
    assert.equal(label('Net loss narrowed to $3 million from $11 million.'), 'positive');
    assert.equal(label('Our cost of sales increased 14% in the quarter.'), 'negative');
  });

  it('flips a negated score', () => {
    const plain = clf.compound('We saw a decline in demand this quarter.');
    const negated = clf.compound('We did not see any decline in demand this quarter.');
    assert.ok(plain < 0, `plain ${plain}`);
    assert.ok(negated > 0, `negated ${negated}`);
    assert.notEqual(label('The results were not good.'), 'positive');
    // "not only" does not negate.
    assert.ok(clf.compound('Margins not only improved but reached a record.') > 0.3);
  });

  it('keeps finance-neutral words neutral where a general lexicon would not', () => {
    const t = 'Gross margin, interest expense and the tax liability are described in our filing.';
    assert.equal(label(t), 'neutral');
    const vader = vaderLexicon();
    assert.ok(
      vader.get('gross')! < -1 && vader.get('interest')! > 1,
      'the base lexicon does score these words',
    );
  });

  it('weights the clause after "but" and discounts "partially offset by"', () => {
    assert.equal(
      label('Sales were weak in Europe, but we delivered record results in North America.'),
      'positive',
    );
    assert.equal(label('Revenue grew 4%, partially offset by higher freight costs.'), 'positive');
  });

  it('labels plain statements neutral and returns scores in [0, 1]', async () => {
    assert.equal(
      label('I am joined by our Chief Executive Officer and our Chief Financial Officer.'),
      'neutral',
    );
    const lines = readFileSync(join(EXAMPLES_ECTSUM, 'AAP_q2_2021.txt'), 'utf8').split('\n').filter(Boolean);
    const out = await clf.classify(lines);
    assert.equal(out.length, lines.length);
    for (const r of out) assert.ok(r.score >= 0 && r.score <= 1, `score ${r.score}`);
    // A quarter of strong growth: clearly more positive than negative sentences.
    const pos = out.filter((r) => r.label === 'positive').length;
    const neg = out.filter((r) => r.label === 'negative').length;
    assert.ok(pos > 3 * neg, `${pos} positive, ${neg} negative`);
  });

  it('is deterministic', async () => {
    const t = ['Free cash flow more than doubled.', 'Demand softened in the quarter.'];
    assert.deepEqual(await clf.classify(t), await new LexiconClassifier().classify(t));
  });
});
