/**
 * The firm stage for one partition (batch) of firms: fetch → sentences → (topics, when an analyzer is given) →
 * (sentence sentiment labels, when a classifier is given) → lake parts. Without an analyzer it is the `ingest`
 * stage: sentences only, `firms.status = 'sentences-only'`. Labels go to `sentence_sentiment` parts of the
 * `sentiment` stage's names (`sentiment-batch-0007-part-0001.parquet`), so the standalone `sentiment` command
 * replaces exactly them.
 */

import { releasesPartition } from '@callthemes/common/inference/errors';
import { PartitionWriter, type Row, type TableName } from '@callthemes/common/lake';
import type { SentimentClassifier } from '@callthemes/common/sentiment';
import type { FirmRef, SourceReject, Transcript, TranscriptSource } from '@callthemes/common/sources';
import { partitionFirms, prepareSentences } from '@callthemes/common/sources';
import type { FilterOptions } from '@callthemes/common/text';
import type { FirmAnalysis, FirmAnalyzer } from '@callthemes/common/topics';
import {
  type PartitionStageOptions,
  type PartitionStageResult,
  sentimentPartWriter,
} from './partition-stage.js';

export interface FirmEvent {
  firmId: string;
  quarter: string;
  ok: boolean;
  nSentences: number;
  nTopics: number;
  seconds: number;
  reason?: string;
}

export interface FirmStageOptions extends PartitionStageOptions<FirmEvent> {
  source: TranscriptSource;
  flushEvery: number;
  filter: FilterOptions;
  analyzer?: FirmAnalyzer | null;
  /** Labels every kept sentence (positive / negative / neutral) when given. */
  classifier?: SentimentClassifier | null;
  /** The partition's firm ids (a fleet message names them): no listing, no slicing. */
  firmIds?: readonly string[];
  /** The quarter's listing, when the caller already has it. */
  firms?: readonly FirmRef[];
}

export interface FirmStageResult extends PartitionStageResult {
  topics: number;
  /** Sentiment labels written, by label. */
  labels: Record<string, number>;
}

export const FIRM_STAGE = 'firm';

export async function runFirmStage(o: FirmStageOptions): Promise<FirmStageResult> {
  const ids = o.firmIds
    ? [...o.firmIds]
    : partitionFirms(o.firms ?? (await o.source.listFirms(o.quarter)).firms, o.batch, o.batchSize).map(
        (f) => f.firmId,
      );
  const tables: TableName[] = o.analyzer ? ['sentences', 'topics', 'firms'] : ['sentences', 'firms'];
  const writer = new PartitionWriter({
    store: o.store,
    stage: FIRM_STAGE,
    quarter: o.quarter,
    batch: o.batch,
    batchSize: o.batchSize,
    runId: o.runId,
    tables,
    flushEvery: o.flushEvery,
    completionTable: 'firms',
  });
  const labelWriter = o.classifier ? sentimentPartWriter(o, o.flushEvery) : null;
  const result: FirmStageResult = {
    manifest: null,
    firmsOk: 0,
    firmsRejected: 0,
    sentences: 0,
    topics: 0,
    labels: {},
    interrupted: false,
  };
  let started = performance.now();
  for await (const fetched of o.source.fetchTranscripts(o.quarter, ids)) {
    const firmId = fetched.ok
      ? fetched.transcript.firmId
      : (fetched.reject.firmId ?? fetched.reject.sourceRef);
    try {
      if (!fetched.ok) throw new FirmRejected(fetched.reject);
      const rows = await processFirm(fetched.transcript, o, started);
      const labels = o.classifier ? await labelRows(o.classifier, rows.rows.sentences ?? []) : null;
      await writer.addItem(firmId, rows.rows);
      if (labelWriter && labels) {
        await labelWriter.addItem(firmId, { sentence_sentiment: labels });
        for (const r of labels) result.labels[String(r.label)] = (result.labels[String(r.label)] ?? 0) + 1;
      }
      result.firmsOk++;
      result.sentences += rows.nSentences;
      result.topics += rows.nTopics;
      o.onFirm?.({
        firmId,
        quarter: o.quarter,
        ok: true,
        nSentences: rows.nSentences,
        nTopics: rows.nTopics,
        seconds: rows.seconds,
      });
    } catch (err) {
      // The endpoint is scaling up from zero: not this firm's fault; the caller releases the partition.
      if (releasesPartition(err)) throw err;
      const reject: SourceReject =
        err instanceof FirmRejected
          ? err.reject
          : {
              sourceRef: firmId,
              quarter: o.quarter,
              firmId,
              reason: `firm stage failed: ${(err as Error).message}`,
            };
      writer.addReject({
        source_ref: reject.sourceRef,
        firm_id: reject.firmId,
        stage: fetched.ok ? 'firm' : 'fetch',
        reason: reject.reason,
      });
      await writer.skipItem(firmId);
      await labelWriter?.skipItem(firmId);
      result.firmsRejected++;
      o.onFirm?.({
        firmId,
        quarter: o.quarter,
        ok: false,
        nSentences: 0,
        nTopics: 0,
        seconds: (performance.now() - started) / 1000,
        reason: reject.reason,
      });
    }
    started = performance.now();
    if (o.signal?.aborted) {
      await labelWriter?.flush();
      await writer.flush();
      result.interrupted = true;
      return result;
    }
  }
  // Labels first: the firm manifest, written last, says the whole partition is in the lake.
  await labelWriter?.finish({
    model: o.classifier?.model,
    firmsOk: result.firmsOk,
    firmsRejected: result.firmsRejected,
    labels: result.labels,
    ...o.manifestExtra,
  });
  result.manifest = await writer.finish({
    firmsOk: result.firmsOk,
    firmsRejected: result.firmsRejected,
    ...o.manifestExtra,
  });
  return result;
}

/** One label row per kept sentence; a classifier failure rejects the firm (its scores would be skewed). */
async function labelRows(classifier: SentimentClassifier, sentences: Row[]): Promise<Row[]> {
  let res: Awaited<ReturnType<SentimentClassifier['classify']>>;
  try {
    res = await classifier.classify(sentences.map((s) => String(s.text ?? '')));
  } catch (err) {
    // The endpoint is scaling up: the partition is released, not the firm rejected.
    if (releasesPartition(err)) throw err;
    throw new Error(`sentiment failed: ${(err as Error).message}`);
  }
  if (res.length !== sentences.length)
    throw new Error(`sentiment failed: ${res.length} labels for ${sentences.length} sentences`);
  return sentences.map((s, i) => ({
    sentence_id: s.sentence_id,
    label: res[i].label,
    score: res[i].score,
    model: classifier.model,
  }));
}

class FirmRejected extends Error {
  constructor(readonly reject: SourceReject) {
    super(reject.reason);
  }
}

async function processFirm(t: Transcript, o: FirmStageOptions, started: number) {
  const prepared = prepareSentences(t, o.filter);
  if (prepared.sentences.length === 0) {
    throw new FirmRejected({
      sourceRef: t.sourceRef,
      quarter: t.quarter,
      firmId: t.firmId,
      reason: `no sentences left after filters (${prepared.nRaw} before)`,
    });
  }
  let analysis: FirmAnalysis | null = null;
  if (o.analyzer) analysis = await o.analyzer(t, prepared.sentences);
  const sentences: Row[] = prepared.sentences.map((s, i) => ({
    sentence_id: s.sentenceId,
    firm_id: t.firmId,
    transcript_id: t.transcriptId,
    position: s.position,
    component_order: s.componentOrder,
    section: s.section,
    speaker_name: s.speakerName,
    speaker_role: s.speakerRole,
    text: s.text,
    topic_id: analysis ? analysis.topicOfSentence[i] : null,
  }));
  const seconds = (performance.now() - started) / 1000;
  const nTopics = analysis?.topicRows.length ?? 0;
  const firm: Row = {
    firm_id: t.firmId,
    firm_name: t.firmName,
    ticker: t.ticker,
    fiscal_quarter: t.fiscalQuarter,
    call_date: t.callDate,
    source: t.source,
    transcript_id: t.transcriptId,
    n_sentences_raw: prepared.nRaw,
    n_sentences: prepared.sentences.length,
    n_dropped_operator: prepared.dropped.operator,
    n_dropped_safe_harbor: prepared.dropped.safe_harbor,
    n_dropped_non_gaap: prepared.dropped.non_gaap,
    n_dropped_greeting: prepared.dropped.greeting,
    n_dropped_short: prepared.dropped.short,
    n_topics: nTopics,
    seconds,
    status: analysis ? 'ok' : 'sentences-only',
    run_id: o.runId,
  };
  const rows: Partial<Record<TableName, Row[]>> = { sentences, firms: [firm] };
  if (analysis) rows.topics = analysis.topicRows;
  return { rows, nSentences: sentences.length, nTopics, seconds };
}
