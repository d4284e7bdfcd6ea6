/**
 * The served parts of a run inside a worker (LLM topic names, served embeddings), built from the run's service
 * flags with their response caches in the lake. Every worker has its own clients, so each gets 1/K of the
 * configured request, token and concurrency limits: together they stay within what the service allows.
 */
import { EMBEDDING_STAGE } from '@callthemes/common/embed';
import type { LimiterOptions } from '@callthemes/common/llm';
import { KeywordNamer } from '@callthemes/common/naming';
import { createLlmServices, type LlmServices, serviceSettingsFrom } from '@callthemes/common/services';
import type { RunConfig } from './config.js';
import type { WorkerEnv } from './stage.js';

/** The `--llm-*` and `--embed-*` flags of the run. */
export function serviceFlags(config: RunConfig) {
  const s = config.services;
  return { llmUrl: s.llmUrl, llmModel: s.llmModel, embedUrl: s.embedUrl, embedModel: s.embedModel };
}

function share(limits: LimiterOptions, k: number): LimiterOptions {
  const part = (x: number) => Math.max(1, Math.floor(x / k));
  return {
    requestsPerMinute: part(limits.requestsPerMinute),
    tokensPerMinute: part(limits.tokensPerMinute),
    maxConcurrent: part(limits.maxConcurrent),
  };
}

/** The worker's services (null parts when not configured); its ledger feeds the run's token ledger. */
export function workerServices(env: WorkerEnv): Promise<LlmServices> {
  return env.once(
    'llm-services',
    async () => {
      const settings = serviceSettingsFrom(serviceFlags(env.config));
      const k = env.config.concurrency;
      if (settings.llm) settings.llm.limits = share(settings.llm.limits, k);
      if (settings.embed) settings.embed.limits = share(settings.embed.limits, k);
      const services = await createLlmServices(settings, {
        store: env.store,
        fallbackTopicNamer: new KeywordNamer(),
      });
      env.reportUsage(() => {
        const all = services.ledger.totals();
        const embed = services.ledger.byStage()[EMBEDDING_STAGE];
        return {
          requests: all.requests - (embed?.requests ?? 0),
          promptTokens: all.promptTokens - (embed?.promptTokens ?? 0),
          completionTokens: all.completionTokens - (embed?.completionTokens ?? 0),
          cachedPromptTokens: all.cachedPromptTokens - (embed?.cachedPromptTokens ?? 0),
          cacheHits: all.cacheHits - (embed?.cacheHits ?? 0),
          costUsd: all.costUsd,
          embedRequests: embed?.requests ?? 0,
          embedTokens: embed?.promptTokens ?? 0,
        };
      });
      return services;
    },
    (s) => s.close(),
  );
}
