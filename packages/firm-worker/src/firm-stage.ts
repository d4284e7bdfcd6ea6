/**
 * Stage 1 for one batch of firms: fetch → sentences → (topics, when an analyzer is given) → lake parts.
 * Without an analyzer it is the `ingest` stage: sentences only, `firms.status = 'sentences-only'`.
 */
import { rm } from 'node:fs/promises';
import type { LakeStore } from '@callthemes/common/lake';
import {
  type BatchManifest,
  BatchWriter,
  type Row,
  rejectsKey,
  scratchFile,
  TABLES,
  type TableName,
  writeParquet,
} from '@callthemes/common/lake';
import type { FirmRef, SourceReject, Transcript, TranscriptSource } from '@callthemes/common/sources';
import { batchFirms, prepareSentences } from '@callthemes/common/sources';
import type { FilterOptions } from '@callthemes/common/text';
import type { FirmAnalysis, FirmAnalyzer } from '@callthemes/common/topics';

export interface FirmEvent {
  firmId: string;
  quarter: string;
  ok: boolean;
  nSentences: number;
  nTopics: number;
  seconds: number;
  reason?: string;
}

export interface FirmStageOptions {
  store: LakeStore;
  source: TranscriptSource;
  quarter: string;
  batch: number;
  batchSize: number;
  runId: string;
  flushEvery: number;
  filter: FilterOptions;
  analyzer?: FirmAnalyzer | null;
  /** The quarter's listing, when the caller already has it. */
  firms?: readonly FirmRef[];
  onFirm?: (e: FirmEvent) => void;
  /** When aborted, the stage finishes the current firm, flushes, and returns with `interrupted: true`. */
  signal?: AbortSignal;
  /** Extra fields stored in the manifest. */
  manifestExtra?: Record<string, unknown>;
}

export interface FirmStageResult {
  manifest: BatchManifest | null;
  firmsOk: number;
  firmsRejected: number;
  sentences: number;
  topics: number;
  interrupted: boolean;
}

export const FIRM_STAGE = 'firm';

export async function runFirmStage(o: FirmStageOptions): Promise<FirmStageResult> {
  const listing = o.firms ?? (await o.source.listFirms(o.quarter)).firms;
  const firms = batchFirms(listing, o.batch, o.batchSize);
  const tables: TableName[] = o.analyzer ? ['sentences', 'topics', 'firms'] : ['sentences', 'firms'];
  const writer = new BatchWriter({
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
  const result: FirmStageResult = {
    manifest: null,
    firmsOk: 0,
    firmsRejected: 0,
    sentences: 0,
    topics: 0,
    interrupted: false,
  };
  const ids = firms.map((f) => f.firmId);
  let started = performance.now();
  for await (const fetched of o.source.fetchTranscripts(o.quarter, ids)) {
    const firmId = fetched.ok
      ? fetched.transcript.firmId
      : (fetched.reject.firmId ?? fetched.reject.sourceRef);
    try {
      if (!fetched.ok) throw new FirmRejected(fetched.reject);
      const rows = await processFirm(fetched.transcript, o, started);
      await writer.addItem(firmId, rows.rows);
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
      await writer.flush();
      result.interrupted = true;
      return result;
    }
  }
  result.manifest = await writer.finish({
    firmsOk: result.firmsOk,
    firmsRejected: result.firmsRejected,
    ...o.manifestExtra,
  });
  return result;
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

/** Writes a quarter's listing rejects (bad names, duplicate firms) to `rejects/quarter=Q/list.parquet`. */
export async function writeListingRejects(
  store: LakeStore,
  quarter: string,
  rejects: readonly SourceReject[],
): Promise<void> {
  const rows: Row[] = rejects.map((r) => ({
    source_ref: r.sourceRef,
    firm_id: r.firmId,
    stage: 'list',
    reason: r.reason,
  }));
  const tmp = scratchFile(await store.scratchDir(), 'rejects-list');
  try {
    await writeParquet(TABLES.rejects, rows, tmp);
    await store.putFile(rejectsKey(quarter, 'list', null), tmp);
  } finally {
    await rm(tmp, { force: true });
  }
}
