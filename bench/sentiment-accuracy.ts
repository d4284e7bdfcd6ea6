/**
 * Accuracy and macro-F1 of a sentiment classifier on Financial PhraseBank v1.0 (Malo et al. 2014,
 * CC BY-NC-SA 3.0: used here for evaluation only, never shipped in the repository).
 *
 *   node --import @callthemes/common/register-source bench/sentiment-accuracy.ts --data <dir with Sentences_*Agree.txt> [--threshold 0.25] [--split dev|test|all]
 *                                        [--baseline]   (also the reference VADER, compound ±0.05, on each test half)
 *
 * Sentences are split into a dev half and a test half by a hash of their text, so tuning on dev leaves
 * test unseen. Prints one line per agreement level and split, then a confusion matrix for the test half.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SentimentLabel } from '@callthemes/common/sentiment';
import {
  type Evaluation,
  evaluate,
  halfOf,
  type LabelledSentence,
  LexiconClassifier,
  parseAtLabelled,
} from '@callthemes/common/sentiment';
import vader from 'vader-sentiment';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: process.env.CALLTHEMES_PHRASEBANK ?? '.cache/phrasebank' },
    threshold: { type: 'string' },
    split: { type: 'string', default: 'all' },
    errors: { type: 'string' },
    baseline: { type: 'boolean', default: false },
  },
});
const LEVELS = ['AllAgree', '75Agree', '66Agree', '50Agree'];
const dir = values.data as string;
if (!existsSync(join(dir, 'Sentences_AllAgree.txt'))) {
  console.error(
    `Financial PhraseBank not found in ${dir} (expected Sentences_AllAgree.txt); pass --data <dir>`,
  );
  process.exit(2);
}

const clf = new LexiconClassifier(values.threshold ? { threshold: Number(values.threshold) } : {});
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const line = (name: string, e: Evaluation) =>
  `${name.padEnd(24)} n=${String(e.n).padStart(4)}  accuracy ${pct(e.accuracy)}  macro-F1 ${pct(e.macroF1)}  ` +
  `F1 pos ${pct(e.perClass.positive.f1)} neg ${pct(e.perClass.negative.f1)} neu ${pct(e.perClass.neutral.f1)}`;

console.log(`model ${clf.model}  data ${dir}`);
for (const level of LEVELS) {
  // The files are Latin-1 except AllAgree, which some copies carry as UTF-8; decode by content.
  const raw = readFileSync(join(dir, `Sentences_${level}.txt`));
  const text =
    raw.includes(Buffer.from([0xc3])) && level === 'AllAgree' ? raw.toString('utf8') : raw.toString('latin1');
  const rows: LabelledSentence[] = parseAtLabelled(text);
  for (const split of values.split === 'all' ? ['dev', 'test'] : [values.split as string]) {
    const part = rows.filter((r) => halfOf(r.text) === split);
    const pred = await clf.classify(part.map((r) => r.text));
    const e = evaluate(
      part.map((r) => r.label),
      pred.map((p) => p.label),
    );
    console.log(line(`${level} ${split}`, e));
    if (values.baseline && split === 'test') {
      const vaderLabel = (t: string): SentimentLabel => {
        const c = vader.SentimentIntensityAnalyzer.polarity_scores(t).compound;
        return c >= 0.05 ? 'positive' : c <= -0.05 ? 'negative' : 'neutral';
      };
      const b = evaluate(
        part.map((r) => r.label),
        part.map((r) => vaderLabel(r.text)),
      );
      console.log(line(`${level} ${split} VADER`, b));
    }
    if (level === 'AllAgree' && split === 'test') {
      console.log(`  confusion (rows gold, cols predicted pos/neg/neu):`);
      for (const g of ['positive', 'negative', 'neutral'] as const)
        console.log(
          `    ${g.padEnd(9)} ${['positive', 'negative', 'neutral'].map((p) => String(e.confusion[g][p as 'positive']).padStart(5)).join('')}`,
        );
    }
    if (values.errors && level === values.errors && split === 'dev') {
      part.forEach((r, i) => {
        if (pred[i].label !== r.label)
          console.log(
            `  ERR gold=${r.label} pred=${pred[i].label} ${clf.compound(r.text).toFixed(2)} | ${r.text}`,
          );
      });
    }
  }
}
