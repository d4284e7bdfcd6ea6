/** Accuracy, per-class precision/recall/F1 and macro-F1 of predicted labels against gold labels. */
import { createHash } from 'node:crypto';
import { SENTIMENT_LABELS, type SentimentLabel } from './types.js';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  n: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<SentimentLabel, ClassMetrics>;
  /** confusion[gold][predicted] */
  confusion: Record<SentimentLabel, Record<SentimentLabel, number>>;
}

export function evaluate(gold: readonly SentimentLabel[], predicted: readonly SentimentLabel[]): Evaluation {
  if (gold.length !== predicted.length)
    throw new Error(`${gold.length} gold labels but ${predicted.length} predictions`);
  const zero = () =>
    Object.fromEntries(SENTIMENT_LABELS.map((l) => [l, 0])) as Record<SentimentLabel, number>;
  const confusion = Object.fromEntries(SENTIMENT_LABELS.map((l) => [l, zero()])) as Evaluation['confusion'];
  let correct = 0;
  for (let i = 0; i < gold.length; i++) {
    confusion[gold[i]][predicted[i]]++;
    if (gold[i] === predicted[i]) correct++;
  }
  const perClass = {} as Record<SentimentLabel, ClassMetrics>;
  for (const l of SENTIMENT_LABELS) {
    const tp = confusion[l][l];
    const support = SENTIMENT_LABELS.reduce((s, p) => s + confusion[l][p], 0);
    const predictedN = SENTIMENT_LABELS.reduce((s, g) => s + confusion[g][l], 0);
    const precision = predictedN === 0 ? 0 : tp / predictedN;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[l] = { precision, recall, f1, support };
  }
  const macroF1 = SENTIMENT_LABELS.reduce((s, l) => s + perClass[l].f1, 0) / SENTIMENT_LABELS.length;
  return {
    n: gold.length,
    accuracy: gold.length === 0 ? 0 : correct / gold.length,
    macroF1,
    perClass,
    confusion,
  };
}

export interface LabelledSentence {
  text: string;
  label: SentimentLabel;
}

/**
 * Parses `sentence@label` lines (Financial PhraseBank's format; the label follows the last `@`).
 * Lines with another label are reported through `onBad` and skipped.
 */
export function parseAtLabelled(
  text: string,
  onBad?: (line: number, reason: string) => void,
): LabelledSentence[] {
  const out: LabelledSentence[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const at = line.lastIndexOf('@');
    const label =
      at < 0
        ? ''
        : line
            .slice(at + 1)
            .trim()
            .toLowerCase();
    if (!(SENTIMENT_LABELS as readonly string[]).includes(label)) {
      onBad?.(i + 1, at < 0 ? 'no @label' : `unknown label "${label}"`);
      return;
    }
    out.push({ text: line.slice(0, at).trim(), label: label as SentimentLabel });
  });
  return out;
}

/** A fixed half of any labelled set, by a hash of the text: tune on `dev`, report on `test`. */
export function halfOf(text: string): 'dev' | 'test' {
  return createHash('sha1').update(text).digest()[0] % 2 === 0 ? 'dev' : 'test';
}
