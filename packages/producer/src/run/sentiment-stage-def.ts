/** Stage 3 in `callthemes run`: sentence sentiment over the quarter's firms in the lake, batched like stage 1. */
import { LakeQuery } from '@callthemes/common/query';
import type { SentimentClassifier } from '@callthemes/common/sentiment';
import { createClassifier } from '@callthemes/common/sentiment';
import { runSentimentStage, SENTIMENT_STAGE, sentimentFirms } from '@callthemes/firm-worker';
import type { RunConfig } from './config.js';
import { stampManifest } from './resume.js';
import type { StageDef, WorkerEnv } from './stage.js';

/** The sentiment flags of the run (`--sentiment-url` ...), as the classifier factory takes them. */
function classifierFlags(config: RunConfig) {
  const s = config.services;
  return {
    sentimentUrl: s.sentimentUrl,
    sentimentApi: s.sentimentApi,
    sentimentModel: s.sentimentModel,
    sentimentBatchSize: s.sentimentBatchSize,
    sentimentConcurrency: s.sentimentConcurrency,
    sentimentLabelMap: s.sentimentLabelMap,
  };
}

function workerClassifier(env: WorkerEnv): Promise<SentimentClassifier> {
  return env.once(
    'sentiment-classifier',
    async () => createClassifier(classifierFlags(env.config)),
    async (c) => {
      await c.close?.();
    },
  );
}

export const sentimentStage: StageDef = {
  name: SENTIMENT_STAGE,
  unit: 'firms',
  tables: ['sentence_sentiment'],
  batching: 'firms',
  settings: (config) => {
    const flags = classifierFlags(config);
    const classifier = createClassifier(flags);
    void classifier.close?.();
    return { ...flags, model: classifier.model };
  },
  async plan(env, quarter) {
    const q = await LakeQuery.open(env.store);
    try {
      const items = await sentimentFirms(q, quarter);
      return {
        items,
        shared: items,
        note: items.length === 0 ? 'no firms of the quarter in the lake' : undefined,
      };
    } finally {
      q.close();
    }
  },
  async prepare(env) {
    await workerClassifier(env);
  },
  async runBatch(env, task, onItem, signal) {
    const res = await runSentimentStage({
      store: env.store,
      quarter: task.quarter,
      batch: task.batch,
      batchSize: task.batchSize,
      runId: env.config.runId,
      classifier: await workerClassifier(env),
      flushEvery: env.config.flushEvery,
      firms: env.shared(SENTIMENT_STAGE, task.quarter) as string[],
      signal,
      onFirm: (e) =>
        onItem({
          stage: SENTIMENT_STAGE,
          quarter: task.quarter,
          itemId: e.firmId,
          ok: e.ok,
          seconds: 0,
          counts: { labels: e.sentences },
          reason: e.reason,
        }),
    });
    // The stage writes its own manifest; the run adds the fingerprint that lets a resume skip the batch.
    if (!res.interrupted)
      await stampManifest(env.store, task.quarter, SENTIMENT_STAGE, task.batch, task.fingerprint);
    return {
      itemsOk: res.firmsOk,
      itemsRejected: res.firmsRejected,
      counts: { labels: res.sentences, ...res.labels },
      interrupted: res.interrupted,
    };
  },
  describeItem: (e) => (e.ok ? null : `reject ${e.itemId} ${e.quarter} (sentiment): ${e.reason}`),
};
