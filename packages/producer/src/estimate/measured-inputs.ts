/**
 * The price file's workload numbers measured on a local run of full calls: sentences and topics per firm, the
 * characters of a kept sentence (→ embedding tokens), the firm stage's CPU seconds and the theme stage's seconds.
 * `scripts/estimate-inputs.ts` runs the local fleet and writes these into the price file.
 */
import type { LakeStore } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import type { RunMetrics } from '../run/run-metrics.js';
import type { Sourced } from './prices.js';

/** Characters a token for English prose: the project's token estimate (the scripted test server's rule). */
export const CHARS_PER_TOKEN = 4;

/**
 * Completion tokens a named topic takes, and the prompt tokens of a firm's naming request, measured with a real
 * tokenizer on 75 calls (BENCHMARKS.md "Requests and tokens per firm: 2021Q2 with a real small model", final
 * code: 420 completion tokens for 12.2 topics a firm; prompt 1,537, held near the namer's 1,500-token target
 * whatever the call's length).
 */
export const COMPLETION_TOKENS_PER_TOPIC = 420 / 12.2;
export const PROMPT_TOKENS_PER_REQUEST = 1537;

export interface RunShape {
  firms: number;
  sentences: number;
  topics: number;
  /** Mean characters of a kept sentence. */
  sentenceChars: number;
  firmCpuSecondsPerFirm: number;
  themesSecondsPerFirm: number | null;
}

export async function runShape(store: LakeStore, m: RunMetrics): Promise<RunShape> {
  const q = await LakeQuery.open(store);
  try {
    const quarters = m.quarters.map((x) => `'${x.replace(/'/g, "''")}'`).join(',');
    const [row] = await q.rows(
      `SELECT avg(length(text)) AS chars FROM sentences WHERE quarter IN (${quarters})`,
    );
    const themes = m.stages.find((s) => s.stage === 'themes');
    return {
      firms: m.counts.firms,
      sentences: m.counts.sentences,
      topics: m.counts.topics,
      sentenceChars: Number(row?.chars ?? 0),
      firmCpuSecondsPerFirm: m.firmCpuSeconds.mean,
      themesSecondsPerFirm: themes && m.counts.firms > 0 ? themes.wallSeconds / m.counts.firms : null,
    };
  } finally {
    q.close();
  }
}

/** The workload entries a run's shape gives, each with its arithmetic and the command that measured it. */
export function measuredWorkload(
  s: RunShape,
  how: { command: string; runId: string; date: string; ingestCpuSecondsPerFirm: number },
): Record<string, Sourced> {
  if (s.firms <= 0 || s.sentences <= 0)
    throw new Error(`run ${how.runId} has no firms or sentences to measure`);
  const from = `${how.command} (run ${how.runId}: ${s.firms} full calls, Motley JSON)`;
  const topicsPerFirm = s.topics / s.firms;
  const entry = (value: number, unit: string, basis: Sourced['basis'], source: string): Sourced => ({
    value: Number(value.toPrecision(4)),
    unit,
    basis,
    date: how.date,
    source,
  });
  return {
    sentencesPerFirm: entry(
      s.sentences / s.firms,
      'sentences/firm',
      'measured',
      `${from}: ${s.sentences} kept sentences ÷ ${s.firms} firms`,
    ),
    embedTokensPerSentence: entry(
      s.sentenceChars / CHARS_PER_TOKEN,
      'tokens/sentence',
      'derived',
      `${from}: mean ${s.sentenceChars.toFixed(1)} characters a kept sentence ÷ ${CHARS_PER_TOKEN} characters a token (no Qwen tokenizer here)`,
    ),
    promptTokensPerRequest: entry(
      PROMPT_TOKENS_PER_REQUEST,
      'tokens',
      'measured',
      "BENCHMARKS.md 'Requests and tokens per firm: 2021Q2 with a real small model' (final code, 75 calls, real tokenizer): 1,537 prompt tokens a firm; the namer holds prompts near its 1,500-token target whatever the call's length, so full calls do not change it",
    ),
    completionTokensPerRequest: entry(
      topicsPerFirm * COMPLETION_TOKENS_PER_TOPIC,
      'tokens',
      'derived',
      `${from}: ${topicsPerFirm.toFixed(2)} topics a firm × ${COMPLETION_TOKENS_PER_TOPIC.toFixed(1)} completion tokens a topic (BENCHMARKS.md real-model run: 420 tokens for 12.2 topics), thinking off`,
    ),
    topicCpuSecondsPerFirm: entry(
      Math.max(s.firmCpuSecondsPerFirm - how.ingestCpuSecondsPerFirm, 0),
      'CPU-s/firm',
      'measured',
      `${from}: firmCpuSeconds.mean ${s.firmCpuSecondsPerFirm.toFixed(4)} (ingest, topics, offline labels) − ` +
        `ingest ${how.ingestCpuSecondsPerFirm} (workload.ingestCpuSecondsPerFirm)`,
    ),
  };
}
