/**
 * The firm topic analyzer for a plan's settings: sentence embeddings (the offline SIF embedder, or the served
 * model when CALLTHEMES_EMBED_URL is set), the firm topic model, topic names from the LLM when CALLTHEMES_LLM_URL
 * is set (keyword names otherwise, and where the LLM fails).
 */
import type { PlanSettings, WorkerRuntime } from '@callthemes/common/fleet';
import { KeywordNamer } from '@callthemes/common/naming';
import { createTopicAnalyzer, type FirmAnalyzer } from '@callthemes/common/topics';

export async function analyzerFor(runtime: WorkerRuntime, s: PlanSettings): Promise<FirmAnalyzer> {
  const services = await runtime.services();
  return createTopicAnalyzer({
    embedder: services.embedder ?? (await runtime.sif()),
    namer: services.topicNamer ?? new KeywordNamer(),
    model: {
      minClusterSize: s.topics.minTopicSize,
      outlierThreshold: s.topics.outlierThreshold,
      seed: s.seed,
    },
  });
}
