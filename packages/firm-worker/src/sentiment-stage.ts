/**
 * The sentiment step for one partition of firms: the quarter's kept sentences → one sentiment label each, written to
 * `sentence_sentiment` parts with their own manifest (stage `sentiment`). Batch I holds the firms of the
 * lake's `firms` table for the quarter, sorted by id, slice [I·size, (I+1)·size). Texts of several firms go
 * to the classifier together (a served model batches them); when such a group fails, each firm is retried
 * alone so one bad firm becomes one `rejects` row and the rest of the batch goes on.
 */

import type { Row } from '@callthemes/common/lake';
import { sqlString } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import type { SentimentClassifier, SentimentLabel } from '@callthemes/common/sentiment';
import {
  type PartitionStageOptions,
  type PartitionStageResult,
  SENTIMENT_STAGE,
  sentimentPartWriter,
} from './partition-stage.js';

export interface SentimentFirmEvent {
  firmId: string;
  ok: boolean;
  sentences: number;
  reason?: string;
}

export interface SentimentStageOptions extends PartitionStageOptions<SentimentFirmEvent> {
  classifier: SentimentClassifier;
  /** Firms per Parquet part (default 50). */
  flushEvery?: number;
  /** Sentences sent to the classifier at once, across firms (default 512). */
  groupSentences?: number;
  /** The quarter's firm ids, sorted, when the caller already has them. */
  firms?: readonly string[];
  /** An open query over the same lake, when the caller has one. */
  query?: LakeQuery;
}

export interface SentimentStageResult extends PartitionStageResult {
  labels: Record<SentimentLabel, number>;
  seconds: number;
}

interface FirmSentences {
  firmId: string;
  ids: string[];
  texts: string[];
}

/** Firm ids of the quarter from the lake's `firms` table, sorted by code unit like the sources sort them. */
export async function sentimentFirms(query: LakeQuery, quarter: string): Promise<string[]> {
  const rows = await query.rows(`SELECT DISTINCT firm_id FROM firms WHERE quarter = ${sqlString(quarter)}`);
  return rows.map((r) => String(r.firm_id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function runSentimentStage(o: SentimentStageOptions): Promise<SentimentStageResult> {
  const t0 = performance.now();
  const query = o.query ?? (await LakeQuery.open(o.store));
  try {
    const all = o.firms ?? (await sentimentFirms(query, o.quarter));
    if (!Number.isInteger(o.batch) || o.batch < 0) throw new Error(`invalid batch ${o.batch}`);
    const firms = all.slice(o.batch * o.batchSize, (o.batch + 1) * o.batchSize);
    const sentences = await readSentences(query, o.quarter, firms);
    const writer = sentimentPartWriter(o, o.flushEvery ?? 50);
    const result: SentimentStageResult = {
      manifest: null,
      firmsOk: 0,
      firmsRejected: 0,
      sentences: 0,
      labels: { positive: 0, negative: 0, neutral: 0 },
      seconds: 0,
      interrupted: false,
    };
    const reject = async (firmId: string, reason: string) => {
      writer.addReject({
        source_ref: `${o.quarter}/${firmId}`,
        firm_id: firmId,
        stage: SENTIMENT_STAGE,
        reason,
      });
      await writer.skipItem(firmId);
      result.firmsRejected++;
      o.onFirm?.({ firmId, ok: false, sentences: 0, reason });
    };
    const groupLimit = o.groupSentences ?? 512;
    let group: FirmSentences[] = [];
    const flushGroup = async () => {
      const labelled = await classifyGroup(o.classifier, group);
      for (const f of group) {
        const rows = labelled.get(f.firmId) ?? new Error('the classifier returned no result');
        if (rows instanceof Error) {
          await reject(f.firmId, `sentiment failed: ${rows.message}`);
          continue;
        }
        await writer.addItem(f.firmId, { sentence_sentiment: rows });
        for (const r of rows) result.labels[r.label as SentimentLabel]++;
        result.firmsOk++;
        result.sentences += rows.length;
        o.onFirm?.({ firmId: f.firmId, ok: true, sentences: rows.length });
      }
      group = [];
    };
    let groupSize = 0;
    for (const firmId of firms) {
      const f = sentences.get(firmId);
      if (!f || f.texts.length === 0) {
        // Keep the order of items: flush what is waiting before recording the reject.
        await flushGroup();
        groupSize = 0;
        await reject(firmId, 'no sentences in the lake for this firm and quarter');
      } else {
        group.push(f);
        groupSize += f.texts.length;
        if (groupSize >= groupLimit) {
          await flushGroup();
          groupSize = 0;
        }
      }
      if (o.signal?.aborted) {
        await flushGroup();
        await writer.flush();
        result.interrupted = true;
        result.seconds = (performance.now() - t0) / 1000;
        return result;
      }
    }
    await flushGroup();
    result.seconds = (performance.now() - t0) / 1000;
    result.manifest = await writer.finish({
      model: o.classifier.model,
      firmsOk: result.firmsOk,
      firmsRejected: result.firmsRejected,
      sentences: result.sentences,
      labels: result.labels,
      seconds: result.seconds,
      ...o.manifestExtra,
    });
    return result;
  } finally {
    if (!o.query) query.close();
  }

  async function classifyGroup(
    classifier: SentimentClassifier,
    group: FirmSentences[],
  ): Promise<Map<string, Row[] | Error>> {
    const out = new Map<string, Row[] | Error>();
    if (group.length === 0) return out;
    const toRows = (f: FirmSentences, res: { label: SentimentLabel; score: number }[]): Row[] =>
      f.ids.map((id, i) => ({
        sentence_id: id,
        label: res[i].label,
        score: res[i].score,
        model: classifier.model,
      }));
    try {
      const res = await classifier.classify(group.flatMap((f) => f.texts));
      let k = 0;
      for (const f of group) {
        out.set(f.firmId, toRows(f, res.slice(k, k + f.texts.length)));
        k += f.texts.length;
      }
    } catch {
      // Find the firm(s) at fault: retry each alone.
      for (const f of group) {
        try {
          out.set(f.firmId, toRows(f, await classifier.classify(f.texts)));
        } catch (err) {
          out.set(f.firmId, err as Error);
        }
      }
    }
    return out;
  }
}

async function readSentences(
  query: LakeQuery,
  quarter: string,
  firms: readonly string[],
): Promise<Map<string, FirmSentences>> {
  const out = new Map<string, FirmSentences>();
  if (firms.length === 0) return out;
  const rows = await query.rows(
    `SELECT firm_id, sentence_id, text FROM sentences WHERE quarter = ${sqlString(quarter)} ` +
      `AND firm_id IN (${firms.map(sqlString).join(', ')}) ORDER BY firm_id, position`,
  );
  for (const r of rows) {
    const firmId = String(r.firm_id);
    let f = out.get(firmId);
    if (!f) {
      f = { firmId, ids: [], texts: [] };
      out.set(firmId, f);
    }
    f.ids.push(String(r.sentence_id));
    f.texts.push(String(r.text ?? ''));
  }
  return out;
}
