/**
 * The firm topic analyzer for a plan's settings: sentence embeddings (the offline SIF embedder, or the served
 * model of the worker's Inference), the firm topic model, topic names from the Inference's chat model when it
 * serves one (keyword names otherwise, and where the model fails).
 */
import type { PlanSettings, WorkerRuntime } from '@callthemes/common/fleet';
import { createTopicAnalyzer, type FirmAnalyzer } from '@callthemes/common/topics';

export async function analyzerFor(runtime: WorkerRuntime, s: PlanSettings): Promise<FirmAnalyzer> {
  const services = await runtime.services();
  return createTopicAnalyzer({
    embedder: services.embedder ?? (await runtime.sif()),
    namer: services.topicNamer,
    model: {
      minClusterSize: s.topics.minTopicSize,
      outlierThreshold: s.topics.outlierThreshold,
      seed: s.seed,
    },
  });
}
