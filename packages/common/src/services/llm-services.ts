/**
 * Settings → the served parts of a run: LLM topic and theme namers and the HTTP embedder, sharing one token
 * ledger and keeping their response caches with the lake. Each is null when its service is not configured,
 * so stage commands keep the embedded defaults (keyword names, offline embeddings).
 *
 * Settings (flag, else CALLTHEMES_<NAME>, else the config file): llmUrl, llmModel, llmRequestsPerMinute,
 * llmTokensPerMinute, llmConcurrency, llmTimeoutMs, llmMaxAttempts, llmThinking, llmCache, llmPriceInput,
 * llmPriceOutput, llmPriceCachedInput ($ per million tokens), llmBudgetUsd, llmBudgetTokens (naming only);
 * embedUrl, embedModel, embedPriceInput, embedBatchSize, embedDimensions, embedRequestsPerMinute, embedTokensPerMinute, embedConcurrency,
 * embedTimeoutMs, embedCache. Keys only from the environment: CALLTHEMES_LLM_API_KEY (or OPENAI_API_KEY),
 * CALLTHEMES_EMBED_API_KEY (else the LLM key).
 */
import { intSetting, numberSetting, secretFromEnv, settingValue, stringSetting } from '../config/settings.js';
import { EMBEDDING_STAGE, HttpEmbedder } from '../embed/http-embedder.js';
import type { Embedder } from '../embed/types.js';
import { StoreResponseCache, type TextStore } from '../llm/cache.js';
import { LlmClient, normalizeBaseUrl } from '../llm/client.js';
import { type Budget, TokenLedger, type TokenPrices } from '../llm/ledger.js';
import type { LimiterOptions } from '../llm/limiter.js';
import { LlmThemeNamer, THEME_NAMING_STAGE } from '../naming/llm-theme-namer.js';
import { LlmTopicNamer, TOPIC_NAMING_STAGE } from '../naming/llm-topic-namer.js';
import type { ThemeNamer, TopicNamer } from '../naming/types.js';

export interface ServiceEndpoint {
  url: string;
  model: string;
  apiKey?: string;
  limits: LimiterOptions;
  timeoutMs: number;
  maxAttempts: number;
  cache: boolean;
}

export interface LlmSettings extends ServiceEndpoint {
  thinking: boolean;
  prices: TokenPrices;
  budget: Budget;
}

export interface EmbedSettings extends ServiceEndpoint {
  prices: TokenPrices;
  batchSize: number;
  dimensions?: number;
}

export interface ServiceSettings {
  llm: LlmSettings | null;
  embed: EmbedSettings | null;
}

export interface ServiceFlags {
  llmUrl?: string;
  llmModel?: string;
  embedUrl?: string;
  embedModel?: string;
}

/** A setting that is wrong (missing partner, bad URL, bad number): the CLI turns it into a usage error. */
export class ServiceSettingError extends Error {}

function boolSetting(key: string, fallback: boolean): boolean {
  const v = settingValue(key, undefined);
  if (v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new ServiceSettingError(`invalid ${key} "${String(v)}": expected true or false`);
}

function optionalNumber(key: string, min: number): number | undefined {
  const v = settingValue(key, undefined);
  if (v === undefined) return undefined;
  const n = numberSetting(key, undefined, Number.NaN);
  if (!(n >= min)) throw new ServiceSettingError(`invalid ${key} "${String(v)}": expected a number ≥ ${min}`);
  return n;
}

function endpoint(prefix: 'llm' | 'embed', url: string | undefined, model: string | undefined) {
  if (!url && !model) return null;
  const flag = (k: string) => `--${prefix}-${k}`;
  if (!url) throw new ServiceSettingError(`${flag('model')} needs ${flag('url')}`);
  if (!model) throw new ServiceSettingError(`${flag('url')} needs ${flag('model')}`);
  try {
    const u = normalizeBaseUrl(url);
    if (!/^https?:\/\//.test(u)) throw new Error('not http');
  } catch {
    throw new ServiceSettingError(`invalid ${flag('url')} "${url}": expected an http(s) URL`);
  }
  const int = (key: string, fallback: number, min = 1) => {
    try {
      return intSetting(key, undefined, fallback, min);
    } catch (err) {
      throw new ServiceSettingError((err as Error).message);
    }
  };
  return {
    url,
    model,
    limits: {
      requestsPerMinute: int(`${prefix}RequestsPerMinute`, prefix === 'llm' ? 600 : 1200),
      tokensPerMinute: int(`${prefix}TokensPerMinute`, 2_000_000),
      maxConcurrent: int(`${prefix}Concurrency`, 16),
    },
    timeoutMs: int(`${prefix}TimeoutMs`, 120_000),
    maxAttempts: int(`${prefix}MaxAttempts`, 5),
    cache: boolSetting(`${prefix}Cache`, true),
  };
}

/** Reads every service setting; throws ServiceSettingError on a bad value. Keys come from the environment. */
export function serviceSettingsFrom(flags: ServiceFlags): ServiceSettings {
  const llmKey = secretFromEnv('CALLTHEMES_LLM_API_KEY') ?? secretFromEnv('OPENAI_API_KEY');
  const llmBase = endpoint(
    'llm',
    stringSetting('llmUrl', flags.llmUrl),
    stringSetting('llmModel', flags.llmModel),
  );
  const embedBase = endpoint(
    'embed',
    stringSetting('embedUrl', flags.embedUrl),
    stringSetting('embedModel', flags.embedModel),
  );
  const llm: LlmSettings | null = llmBase && {
    ...llmBase,
    apiKey: llmKey,
    thinking: boolSetting('llmThinking', false),
    prices: {
      inputPerMillion: optionalNumber('llmPriceInput', 0) ?? 0,
      outputPerMillion: optionalNumber('llmPriceOutput', 0) ?? 0,
      cachedInputPerMillion: optionalNumber('llmPriceCachedInput', 0),
    },
    budget: {
      maxCostUsd: optionalNumber('llmBudgetUsd', 0),
      maxTokens: optionalNumber('llmBudgetTokens', 0),
      stages: [TOPIC_NAMING_STAGE, THEME_NAMING_STAGE],
    },
  };
  const embed: EmbedSettings | null = embedBase && {
    ...embedBase,
    apiKey: secretFromEnv('CALLTHEMES_EMBED_API_KEY') ?? llmKey,
    prices: { inputPerMillion: optionalNumber('embedPriceInput', 0) ?? 0, outputPerMillion: 0 },
    batchSize: (() => {
      try {
        return intSetting('embedBatchSize', undefined, 64);
      } catch (err) {
        throw new ServiceSettingError((err as Error).message);
      }
    })(),
    dimensions: optionalNumber('embedDimensions', 1),
  };
  return { llm, embed };
}

export interface LlmServices {
  topicNamer: TopicNamer | null;
  themeNamer: ThemeNamer | null;
  embedder: Embedder | null;
  /** Tokens, requests and cost of every service call of this process. */
  ledger: TokenLedger;
  /** What is configured, for run metrics and logs (no credentials). */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}

export interface ServiceDeps {
  /** Where response caches live (the lake); no cache when null. */
  store: TextStore | null;
  ledger?: TokenLedger;
  fallbackTopicNamer?: TopicNamer;
  fallbackThemeNamer?: ThemeNamer;
  /** One line per notable event (retries, fallbacks). */
  log?: (line: string) => void;
}

function clientFor(s: ServiceEndpoint, ledger: TokenLedger, deps: ServiceDeps, prefix: string, extra = {}) {
  return new LlmClient({
    baseUrl: s.url,
    model: s.model,
    apiKey: s.apiKey,
    limits: s.limits,
    timeoutMs: s.timeoutMs,
    retry: { maxAttempts: s.maxAttempts },
    cache: s.cache && deps.store ? new StoreResponseCache(deps.store, prefix) : null,
    ledger,
    onRetry: deps.log
      ? (e) =>
          deps.log?.(
            `retry ${e.endpoint} after attempt ${e.attempt} in ${Math.round(e.delayMs)} ms: ${(e.error as Error).message}`,
          )
      : undefined,
    ...extra,
  });
}

/** Builds the configured services; the embedder probes its service once to learn the dimension. */
export async function createLlmServices(settings: ServiceSettings, deps: ServiceDeps): Promise<LlmServices> {
  const ledger =
    deps.ledger ??
    new TokenLedger(
      settings.llm?.prices,
      settings.llm?.budget,
      settings.embed ? { [EMBEDDING_STAGE]: settings.embed.prices } : {},
    );
  const clients: LlmClient[] = [];
  let topicNamer: TopicNamer | null = null;
  let themeNamer: ThemeNamer | null = null;
  let embedder: Embedder | null = null;
  if (settings.llm) {
    const client = clientFor(settings.llm, ledger, deps, '_cache/llm', {
      chatTemplateKwargs: { enable_thinking: settings.llm.thinking },
    });
    clients.push(client);
    topicNamer = new LlmTopicNamer({
      client,
      fallback: deps.fallbackTopicNamer,
      onFallback: (firm, reason, n) =>
        deps.log?.(`${firm}: ${n} topic name(s) fell back to keywords: ${reason}`),
    });
    themeNamer = new LlmThemeNamer({
      client,
      fallback: deps.fallbackThemeNamer,
      onFallback: (q, reason, n) => deps.log?.(`${q}: ${n} theme name(s) fell back to keywords: ${reason}`),
    });
  }
  if (settings.embed) {
    const client = clientFor(settings.embed, ledger, deps, '_cache/embeddings');
    clients.push(client);
    try {
      embedder = await HttpEmbedder.open({
        client,
        batchSize: settings.embed.batchSize,
        dimensions: settings.embed.dimensions,
        cache: settings.embed.cache,
      });
    } catch (err) {
      await Promise.all(clients.map((c) => c.close()));
      throw err;
    }
  }
  const publicUrl = (u: string) => {
    const x = new URL(normalizeBaseUrl(u));
    x.username = '';
    x.password = '';
    return x.toString();
  };
  return {
    topicNamer,
    themeNamer,
    embedder,
    ledger,
    describe: () => ({
      llm: settings.llm && {
        url: publicUrl(settings.llm.url),
        model: settings.llm.model,
        limits: settings.llm.limits,
        thinking: settings.llm.thinking,
        cache: settings.llm.cache,
        prices: settings.llm.prices,
        budget: settings.llm.budget,
      },
      embed: settings.embed && {
        url: publicUrl(settings.embed.url),
        model: settings.embed.model,
        dim: embedder?.dim ?? null,
        limits: settings.embed.limits,
        batchSize: settings.embed.batchSize,
        cache: settings.embed.cache,
      },
    }),
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}
