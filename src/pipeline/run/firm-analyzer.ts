/**
 * The firm stage's topic analyzer for `callthemes run`: the offline SIF sentence embedder, the firm topic model
 * (src/topics) and keyword topic names. Built once per worker; the word vectors load from the binary cache
 * (`--cache-dir`, built on first use by the first worker alone, see WorkerPool.prepare).
 */
import { SIF_MODEL_ID } from '../../embed/sif.js';
import { KeywordNamer } from '../../naming/keywords.js';
import { createTopicAnalyzer } from '../../topics/analyzer.js';
import type { FirmAnalyzer } from '../firm-stage.js';
import type { RunConfig } from './config.js';
import { workerSif } from './embedders.js';
import type { WorkerEnv } from './stage.js';

/** Settings that change the analyzer's output (hashed into the firm stage's fingerprint). */
export function analyzerSettings(config: RunConfig): Record<string, unknown> {
  return {
    topics: true,
    embedder: SIF_MODEL_ID,
    namer: 'keywords',
    minTopicSize: config.topics.minTopicSize,
    outlierThreshold: config.topics.outlierThreshold,
    seed: config.seed,
  };
}

export async function firmAnalyzer(env: WorkerEnv): Promise<FirmAnalyzer | null> {
  const { config } = env;
  return createTopicAnalyzer({
    embedder: await workerSif(env),
    namer: new KeywordNamer(),
    model: {
      minClusterSize: config.topics.minTopicSize,
      outlierThreshold: config.topics.outlierThreshold,
      seed: config.seed,
    },
  });
}
