/**
 * The firm stage's topic analyzer for `callthemes run`. Until the topic model is part of the build, the run's
 * firm stage writes sentences only (`firms.status = 'sentences-only'`), exactly like `callthemes ingest`.
 */
import type { FirmAnalyzer } from '../firm-stage.js';
import type { RunConfig } from './config.js';
import type { WorkerEnv } from './stage.js';

/** Settings that change the analyzer's output (hashed into the firm stage's fingerprint). */
export function analyzerSettings(_config: RunConfig): Record<string, unknown> {
  return { topics: false };
}

export async function firmAnalyzer(_env: WorkerEnv): Promise<FirmAnalyzer | null> {
  return null;
}
