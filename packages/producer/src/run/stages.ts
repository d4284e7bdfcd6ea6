/**
 * The stages `callthemes run` runs for each quarter, in order. Each entry adapts one stage function of
 * the worker packages to the orchestrator's seam (./stage.ts); a stage that is not part of the build is simply absent.
 */

import type { FirmRef, TranscriptSource } from '@callthemes/common/sources';
import { createSource } from '@callthemes/common/sources';
import { FIRM_STAGE, runFirmStage } from '@callthemes/firm-worker';
import { analyzerSettings, firmAnalyzer } from './firm-analyzer.js';
import { sentimentStage } from './sentiment-stage-def.js';
import type { ItemEvent, StageDef, WorkerEnv } from './stage.js';
import { themesStage } from './themes-stage-def.js';

const seconds = (s: number) => `${s.toFixed(2)} s`;

function workerSource(env: WorkerEnv): Promise<TranscriptSource> {
  return env.once(
    'source',
    () => createSource(env.config.source),
    async (s) => {
      await s.close?.();
    },
  );
}

export const firmStage: StageDef = {
  name: FIRM_STAGE,
  unit: 'firms',
  tables: ['firms', 'sentences', 'topics'],
  batching: 'firms',
  settings: (config) => ({
    source: config.source,
    minTokens: config.minTokens,
    seed: config.seed,
    analyzer: analyzerSettings(config),
  }),
  async plan(env) {
    return { items: env.firms.map((f) => f.firmId), shared: env.firms };
  },
  async prepare(env) {
    await workerSource(env);
    await env.once('firm-analyzer', () => firmAnalyzer(env));
  },
  async runBatch(env, task, onItem, signal) {
    const source = await workerSource(env);
    const analyzer = await env.once('firm-analyzer', () => firmAnalyzer(env));
    const res = await runFirmStage({
      store: env.store,
      source,
      quarter: task.quarter,
      batch: task.batch,
      batchSize: task.batchSize,
      runId: env.config.runId,
      flushEvery: env.config.flushEvery,
      filter: { minTokens: env.config.minTokens },
      analyzer,
      firms: env.shared(FIRM_STAGE, task.quarter) as FirmRef[],
      signal,
      manifestExtra: { fingerprint: task.fingerprint },
      onFirm: (e) =>
        onItem({
          stage: FIRM_STAGE,
          quarter: e.quarter,
          itemId: e.firmId,
          ok: e.ok,
          seconds: e.seconds,
          counts: { sentences: e.nSentences, topics: e.nTopics },
          reason: e.reason,
        }),
    });
    return {
      itemsOk: res.firmsOk,
      itemsRejected: res.firmsRejected,
      counts: { sentences: res.sentences, topics: res.topics },
      interrupted: res.interrupted,
    };
  },
  describeItem: (e: ItemEvent) =>
    e.ok
      ? `${e.itemId} ${e.quarter}: ${e.counts.sentences} sentences, ${e.counts.topics} topics, ${seconds(e.seconds)}`
      : `reject ${e.itemId} ${e.quarter}: ${e.reason}`,
};

/** Every stage of the build, in run order (firm batches, then the quarter's themes, then sentiment). */
export const STAGES: readonly StageDef[] = [firmStage, themesStage, sentimentStage];

export function stageByName(name: string): StageDef {
  const s = STAGES.find((x) => x.name === name);
  if (!s) throw new Error(`unknown stage "${name}"`);
  return s;
}
