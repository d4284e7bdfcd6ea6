/**
 * The firm stage's topic analyzer for `callthemes run`: sentence embeddings (the offline SIF embedder, or the
 * served model with `--embed-url`), the firm topic model (src/topics), topic names from the LLM with `--llm-url`
 * (keyword names otherwise, and where the LLM fails). Built once per worker; the word vectors load from the binary cache
 * (`--cache-dir`, built on first use by the first worker alone, see WorkerPool.prepare).
 */
import { SIF_MODEL_ID } from '@callthemes/common/embed';
import { KeywordNamer } from '@callthemes/common/naming';
import type { FirmAnalyzer } from '@callthemes/common/topics';
import { createTopicAnalyzer } from '@callthemes/common/topics';
import type { RunConfig } from './config.js';
import { workerSif } from './embedders.js';
import { serviceFlags, workerServices } from './services.js';
import type { WorkerEnv } from './stage.js';

/** Settings that change the analyzer's output (hashed into the firm stage's fingerprint). */
export function analyzerSettings(config: RunConfig): Record<string, unknown> {
  const flags = serviceFlags(config);
  return {
    topics: true,
    embedder: flags.embedModel ?? SIF_MODEL_ID,
    namer: flags.llmModel ?? 'keywords',
    minTopicSize: config.topics.minTopicSize,
    outlierThreshold: config.topics.outlierThreshold,
    seed: config.seed,
  };
}

export async function firmAnalyzer(env: WorkerEnv): Promise<FirmAnalyzer | null> {
  const { config } = env;
  const services = await workerServices(env);
  return createTopicAnalyzer({
    embedder: services.embedder ?? (await workerSif(env)),
    namer: services.topicNamer ?? new KeywordNamer(),
    model: {
      minClusterSize: config.topics.minTopicSize,
      outlierThreshold: config.topics.outlierThreshold,
      seed: config.seed,
    },
  });
}
