/**
 * The firm analyzer of the firm stage: embeds a call's kept sentences, fits the firm topic model (keywords without the
 * call's own speaker and firm names: callStopWords), names the topics
 * (keyword namer unless another TopicNamer is given) and returns `topics` rows and topic_id per sentence.
 */
import { matrixFromRows } from '../cluster/matrix.js';
import type { Embedder } from '../embed/types.js';
import { KeywordNamer } from '../naming/keywords.js';
import type { TopicNamer } from '../naming/types.js';
import type { PreparedSentence } from '../sources/prepare-sentences.js';
import type { Transcript } from '../sources/types.js';
import { contentText } from '../text/terms.js';
import type { FirmAnalysis, FirmAnalyzer } from './firm-analysis.js';
import { type FirmTopicOptions, type FirmTopicResult, fitFirmTopics } from './firm-model.js';
import { callStopWords } from './stop-words.js';

export interface FirmTimings {
  firmId: string;
  nSentences: number;
  nTopics: number;
  embed: number;
  reduce: number;
  cluster: number;
  keywords: number;
  name: number;
}

export interface TopicAnalyzerOptions {
  embedder: Embedder;
  namer?: TopicNamer;
  model?: Partial<FirmTopicOptions>;
  /** Called once per firm with the seconds of each step. */
  onTimings?: (t: FirmTimings) => void;
  /** Called once per firm with the fitted model (benchmarks read keywords and labels from it). */
  onResult?: (firmId: string, result: FirmTopicResult, sentences: readonly PreparedSentence[]) => void;
  /**
   * What is embedded of a sentence: 'content' its words less the call's stop words (embeddingTexts), 'full' the
   * whole sentence. Default: 'content' for an embedder that averages word vectors (SIF), 'full' otherwise.
   */
  embedText?: 'content' | 'full';
}

/**
 * The texts the firm stage gives an embedder that averages word vectors (SIF): each sentence without the call's
 * stop words (function words, call speech, calendar labels, speaker and firm names). In the averaged word
 * vectors of whole sentences, the words every Q&A answer shares ("I think", "kind of", "going forward")
 * outweighed the subject, so the vague answers of a call formed one large topic and those topics, alike across
 * firms, the largest themes (issue 27, BENCHMARKS.md "Conversational themes"). Topic keywords already leave
 * these words out; keywords, names and representatives still come from the whole sentences.
 */
export function embeddingTexts(texts: readonly string[], stopWords: ReadonlySet<string>): string[] {
  return texts.map((x) => contentText(x, stopWords));
}

export function topicId(firmId: string, quarter: string, n: number): string {
  return `${firmId}:${quarter}:t${n}`;
}

export function createTopicAnalyzer(o: TopicAnalyzerOptions): FirmAnalyzer {
  const namer = o.namer ?? new KeywordNamer();
  const embedTerms = (terms: readonly string[]) => o.embedder.embed(terms);
  return async (t: Transcript, sentences: PreparedSentence[]): Promise<FirmAnalysis> => {
    const texts = sentences.map((s) => s.text);
    const t0 = performance.now();
    const stopWords = callStopWords(t, o.model?.stopWords);
    const content = (o.embedText ?? (o.embedder.averagesWords ? 'content' : 'full')) === 'content';
    const rows = await o.embedder.embed(content ? embeddingTexts(texts, stopWords) : texts);
    const t1 = performance.now();
    const model = { ...o.model, stopWords };
    const fit = await fitFirmTopics(matrixFromRows(rows, o.embedder.dim), texts, model, embedTerms);
    const ids = fit.topics.map((_, i) => topicId(t.firmId, t.quarter, i));
    const t2 = performance.now();
    const names = await namer.nameFirmTopics(
      { firmId: t.firmId, firmName: t.firmName, ticker: t.ticker, quarter: t.quarter },
      fit.topics.map((tp, i) => ({
        topicId: ids[i],
        size: tp.members.length,
        keywords: tp.keywords,
        representativeSentences: tp.representatives.map((r) => texts[r]),
      })),
    );
    if (names.length !== fit.topics.length)
      throw new Error(`namer returned ${names.length} names for ${fit.topics.length} topics`);
    const t3 = performance.now();
    o.onTimings?.({
      firmId: t.firmId,
      nSentences: sentences.length,
      nTopics: fit.topics.length,
      embed: (t1 - t0) / 1000,
      ...fit.timings,
      name: (t3 - t2) / 1000,
    });
    o.onResult?.(t.firmId, fit, sentences);
    return {
      topicRows: fit.topics.map((tp, i) => ({
        topic_id: ids[i],
        firm_id: t.firmId,
        size: tp.members.length,
        keywords: tp.keywords,
        name: names[i].name,
        name_source: names[i].nameSource,
        description: names[i].description,
        representative_sentence_ids: tp.representatives.map((r) => sentences[r].sentenceId),
        centroid: Array.from(tp.centroid),
        embedding_model: o.embedder.model,
      })),
      topicOfSentence: Array.from(fit.labels, (l) => (l < 0 ? null : ids[l])),
    };
  };
}
