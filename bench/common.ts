/**
 * Shared pieces of the topic benchmarks: a quarter's firms and sentences, the firm stage's sentence vectors, the NPMI
 * reference, argument parsing.
 */
import { parseArgs } from 'node:util';
import { CooccurrenceIndex, topicDiversity } from '@callthemes/common/cluster';
import { SifEmbedder } from '@callthemes/common/embed';
import type { Transcript } from '@callthemes/common/sources';
import { createSource, type PreparedSentence, prepareSentences } from '@callthemes/common/sources';
import { termsOf } from '@callthemes/common/text';
import {
  CALL_STOP_WORDS,
  callStopWords,
  ENGLISH_STOP_WORDS,
  embeddingTexts,
  QA_DISCOURSE_WORDS,
} from '@callthemes/common/topics';

export interface BenchFirm {
  transcript: Transcript;
  sentences: PreparedSentence[];
  texts: string[];
}

export async function loadQuarter(
  kind: string,
  input: string,
  quarter: string,
  limit?: number,
): Promise<BenchFirm[]> {
  const source = await createSource({ kind, input });
  const listing = await source.listFirms(quarter as never);
  const ids = listing.firms.map((f) => f.firmId).slice(0, limit ?? Number.POSITIVE_INFINITY);
  const out: BenchFirm[] = [];
  for await (const f of source.fetchTranscripts(quarter as never, ids)) {
    if (!f.ok) continue;
    const sentences = prepareSentences(f.transcript, { minTokens: 5 }).sentences;
    if (sentences.length === 0) continue;
    out.push({ transcript: f.transcript, sentences, texts: sentences.map((s) => s.text) });
  }
  await source.close?.();
  return out;
}

/**
 * The setup of a benchmark that scores firm topics by NPMI (the quality harness, its sweep, the peer harness): its
 * flags (`benchArgs` with `extra`), the quarter's firms, the NPMI reference over their sentences, and each firm's
 * sentence vectors as the firm stage embeds them (createTopicAnalyzer: the sentences without the call's stop
 * words; the topics are still fitted to and described by the whole sentences).
 */
export async function npmiBench(extra?: BenchFlagSpecs) {
  const args = benchArgs(extra);
  const embedder = SifEmbedder.load();
  const firms = await loadQuarter(args.source, args.input, args.quarter, args.firms);
  const ref = referenceIndex(firms);
  const vectors = await Promise.all(
    firms.map((f) => embedder.embed(embeddingTexts(f.texts, callStopWords(f.transcript)))),
  );
  return { args, embedder, firms, ref, vectors };
}

/**
 * Bench-only switches in a model JSON that choose a firm's stop words rather than set the model: `stopWords`
 * "call" (default: the call stop words with the call's speaker and firm names), "english" (the English list
 * alone) or "none"; with "call", `qaWords: false` drops the spoken-Q&A words and `speakerNames: false` the names.
 * Returns the remaining model settings and the stop words for a firm.
 */
export function stopWordChoice(model: Record<string, unknown>): {
  settings: Record<string, unknown>;
  stopWordsFor: (f: BenchFirm) => ReadonlySet<string>;
} {
  const { stopWords = 'call', qaWords = true, speakerNames = true, ...settings } = model;
  if (stopWords === 'none') return { settings, stopWordsFor: () => new Set() };
  if (stopWords === 'english') return { settings, stopWordsFor: () => ENGLISH_STOP_WORDS };
  if (stopWords !== 'call')
    throw new Error(`stopWords must be "call", "english" or "none", got ${String(stopWords)}`);
  const base = qaWords
    ? CALL_STOP_WORDS
    : new Set([...CALL_STOP_WORDS].filter((w) => !QA_DISCOURSE_WORDS.has(w)));
  return { settings, stopWordsFor: (f) => (speakerNames ? callStopWords(f.transcript, base) : base) };
}

/**
 * Sentence-level term sets of every firm in the quarter: the reference corpus for NPMI. Every 1–2-gram counts,
 * stop words included, in two tokenisations: ours, and BERTopic's (characters outside [A-Za-z0-9 ] deleted, then
 * scikit-learn's 2+-character tokens), so any method's keywords are found in it and none scores −1 for
 * tokenising differently.
 */
export function referenceIndex(firms: readonly BenchFirm[]): CooccurrenceIndex {
  const none = new Set<string>();
  const docs = firms.flatMap((f) =>
    f.texts.map((t) => {
      const ours = termsOf(t, { ngramMax: 2, stopWords: none, minTokenLength: 1 });
      const theirs =
        t
          .replace(/[^A-Za-z0-9 ]+/g, '')
          .toLowerCase()
          .match(/\w\w+/g) ?? [];
      const grams = theirs.map((w, i) => (i + 1 < theirs.length ? `${w} ${theirs[i + 1]}` : w));
      return [...ours, ...theirs, ...grams];
    }),
  );
  return new CooccurrenceIndex(docs);
}

export interface TopicScores {
  nTopics: number;
  outlierShare: number;
  /** Mean NPMI of the topics' top-10 keywords (NaN without topics). */
  npmi: number;
  /** Unique share of the topics' top-25 keywords. */
  diversity: number;
}

export function scoreTopics(
  ref: CooccurrenceIndex,
  keywords: readonly (readonly string[])[],
  labels: ArrayLike<number>,
): TopicScores {
  let out = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] < 0) out++;
  const scored = keywords.filter((k) => k.length >= 2).map((k) => ref.topicNpmi(k.slice(0, 10)));
  return {
    nTopics: keywords.length,
    outlierShare: labels.length === 0 ? 0 : out / labels.length,
    npmi: scored.length === 0 ? Number.NaN : scored.reduce((a, b) => a + b, 0) / scored.length,
    diversity: topicDiversity(keywords.map((k) => k.slice(0, 25))),
  };
}

export function quantile(xs: readonly number[], q: number): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function mean(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x));
  return s.length === 0 ? Number.NaN : s.reduce((a, b) => a + b, 0) / s.length;
}

type BenchFlagSpecs = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

export function benchArgs(extra: BenchFlagSpecs = {}) {
  const { values } = parseArgs({
    options: {
      source: { type: 'string', default: 'motley-json' },
      input: { type: 'string' },
      quarter: { type: 'string', default: '2021Q2' },
      firms: { type: 'string' },
      model: { type: 'string', default: '{}' },
      ...extra,
    },
  });
  const source = String(values.source);
  const input =
    (values.input as string | undefined) ??
    (source === 'ectsum' ? '../shared/data/ectsum-sentences' : '../shared/data/motley-fool-json');
  return {
    /** Every parsed option, the extra ones included. */
    values: values as Record<string, string | boolean | undefined>,
    source,
    input,
    quarter: String(values.quarter),
    firms: values.firms ? Number(values.firms) : undefined,
    model: JSON.parse(String(values.model)) as Record<string, unknown>,
  };
}

/** Prints rows as an aligned Markdown table. */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const width = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of cells) console.log(line(r));
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3);
}
