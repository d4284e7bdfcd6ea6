/**
 * The settings of the served kinds (flag, else CALLTHEMES_<NAME>, else the config file), one place for all three:
 * - chat: llmUrl, llmModel, llmRequestsPerMinute, llmTokensPerMinute, llmConcurrency, llmTimeoutMs,
 *   llmMaxAttempts, llmThinking, llmCache;
 * - embed: embedUrl, embedModel, embedBatchSize, embedDimensions, embedRequestsPerMinute, embedTokensPerMinute,
 *   embedConcurrency, embedTimeoutMs, embedMaxAttempts, embedCache;
 * - classify: sentimentUrl, sentimentApi, sentimentModel, sentimentBatchSize, sentimentConcurrency,
 *   sentimentLabelMap.
 * Prices and budgets (llmPrice*, embedPriceInput, llmBudget*) are the ledger's: `inferenceLedger`. Keys only from
 * the environment: CALLTHEMES_LLM_API_KEY (or OPENAI_API_KEY), CALLTHEMES_EMBED_API_KEY (else the LLM key),
 * CALLTHEMES_SENTIMENT_API_KEY. A kind with no URL is not served: it stays offline.
 */
import { intSetting, secretFromEnv, settingValue, stringSetting } from '../config/settings.js';
import { normalizeBaseUrl } from '../llm/client.js';
import type { LimiterOptions } from '../llm/limiter.js';
import { CLASSIFY_APIS, type ClassifyApi } from '../sentiment/http-classifier.js';
import { SENTIMENT_LABELS, type SentimentLabel } from '../sentiment/types.js';
import { DEFAULT_CHAT_MODEL, DEFAULT_EMBED_MODEL, DEFAULT_SENTIMENT_MODEL } from './served-models.js';

export const SENTIMENT_API_KEY_ENV = 'CALLTHEMES_SENTIMENT_API_KEY';

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
}

export interface EmbedSettings extends ServiceEndpoint {
  batchSize: number;
  dimensions?: number;
}

export interface ClassifySettings {
  url: string;
  api: ClassifyApi;
  model: string;
  batchSize: number;
  concurrency: number;
  apiKey?: string;
  labelMap?: Record<string, SentimentLabel>;
}

/** Each kind's service, or null: that kind runs offline (SIF embeddings, keyword names, the lexicon). */
export interface ServiceSettings {
  llm: LlmSettings | null;
  embed: EmbedSettings | null;
  classify: ClassifySettings | null;
}

/** Flag values (commander's attribute names); every other setting comes from the environment or the config. */
export interface ServiceFlags {
  llmUrl?: string;
  llmModel?: string;
  embedUrl?: string;
  embedModel?: string;
  sentimentUrl?: string;
  sentimentApi?: string;
  sentimentModel?: string;
  sentimentBatchSize?: string | number;
  sentimentConcurrency?: string | number;
  sentimentLabelMap?: string;
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

function int(key: string, flag: unknown, fallback: number, min = 1): number {
  try {
    return intSetting(key, flag, fallback, min);
  } catch (err) {
    throw new ServiceSettingError((err as Error).message);
  }
}

function optionalInt(key: string): number | undefined {
  return settingValue(key, undefined) === undefined ? undefined : int(key, undefined, 1);
}

/**
 * One served kind's endpoint. `base`: the one server of `CALLTHEMES_INFERENCE=http:<url>`, used when the kind has
 * no URL of its own (its model then defaults to the served default); `share`: the kind's limits are split among
 * this many workers of one machine.
 */
function endpoint(
  prefix: 'llm' | 'embed',
  url: string | undefined,
  model: string | undefined,
  o: { base?: string; defaultModel: string; share: number },
): ServiceEndpoint | null {
  const flag = (k: string) => `--${prefix}-${k}`;
  if (!url && !o.base) {
    if (model) throw new ServiceSettingError(`${flag('model')} needs ${flag('url')}`);
    return null;
  }
  if (url && !model && !o.base) throw new ServiceSettingError(`${flag('url')} needs ${flag('model')}`);
  const at = url ?? (o.base as string);
  try {
    const u = normalizeBaseUrl(at);
    if (!/^https?:\/\//.test(u)) throw new Error('not http');
  } catch {
    throw new ServiceSettingError(`invalid ${flag('url')} "${at}": expected an http(s) URL`);
  }
  const part = (x: number) => Math.max(1, Math.floor(x / o.share));
  return {
    url: at,
    model: model ?? o.defaultModel,
    limits: {
      requestsPerMinute: part(int(`${prefix}RequestsPerMinute`, undefined, prefix === 'llm' ? 600 : 1200)),
      tokensPerMinute: part(int(`${prefix}TokensPerMinute`, undefined, 2_000_000)),
      maxConcurrent: part(int(`${prefix}Concurrency`, undefined, 16)),
    },
    timeoutMs: int(`${prefix}TimeoutMs`, undefined, 120_000),
    maxAttempts: int(`${prefix}MaxAttempts`, undefined, 5),
    cache: boolSetting(`${prefix}Cache`, true),
  };
}

/** The classify kind alone (a command that only labels reads no chat or embedding setting). */
export function classifySettingsFrom(flags: ServiceFlags, base?: string): ClassifySettings | null {
  const url = stringSetting('sentimentUrl', flags.sentimentUrl) ?? base;
  if (!url) return null;
  try {
    new URL(url);
  } catch {
    throw new ServiceSettingError(`invalid sentiment URL "${url}"`);
  }
  const api = stringSetting('sentimentApi', flags.sentimentApi, 'vllm');
  if (!(CLASSIFY_APIS as readonly string[]).includes(api))
    throw new ServiceSettingError(
      `unknown sentiment API "${api}": expected one of ${CLASSIFY_APIS.join(', ')}`,
    );
  return {
    url,
    api: api as ClassifyApi,
    model: stringSetting('sentimentModel', flags.sentimentModel, DEFAULT_SENTIMENT_MODEL),
    batchSize: int('sentimentBatchSize', flags.sentimentBatchSize, 32),
    concurrency: int('sentimentConcurrency', flags.sentimentConcurrency, 4),
    apiKey: secretFromEnv(SENTIMENT_API_KEY_ENV),
    labelMap: parseLabelMap(stringSetting('sentimentLabelMap', flags.sentimentLabelMap)),
  };
}

/**
 * Reads every service setting; throws ServiceSettingError on a bad value. `base`: the server of
 * `CALLTHEMES_INFERENCE=http:<url>` that serves every kind without a URL of its own; `share`: local workers.
 */
export function serviceSettingsFrom(
  flags: ServiceFlags = {},
  o: { base?: string; share?: number } = {},
): ServiceSettings {
  const share = Math.max(1, o.share ?? 1);
  const llmKey = secretFromEnv('CALLTHEMES_LLM_API_KEY') ?? secretFromEnv('OPENAI_API_KEY');
  const llm = endpoint(
    'llm',
    stringSetting('llmUrl', flags.llmUrl),
    stringSetting('llmModel', flags.llmModel),
    {
      base: o.base,
      defaultModel: DEFAULT_CHAT_MODEL,
      share,
    },
  );
  const embed = endpoint(
    'embed',
    stringSetting('embedUrl', flags.embedUrl),
    stringSetting('embedModel', flags.embedModel),
    { base: o.base, defaultModel: DEFAULT_EMBED_MODEL, share },
  );
  return {
    llm: llm && { ...llm, apiKey: llmKey, thinking: boolSetting('llmThinking', false) },
    embed: embed && {
      ...embed,
      apiKey: secretFromEnv('CALLTHEMES_EMBED_API_KEY') ?? llmKey,
      batchSize: int('embedBatchSize', undefined, 64),
      dimensions: optionalInt('embedDimensions'),
    },
    classify: classifySettingsFrom(flags, o.base),
  };
}

/** `LABEL_0=neutral,LABEL_1=positive` → map. */
export function parseLabelMap(spec: string | undefined): Record<string, SentimentLabel> | undefined {
  if (!spec) return undefined;
  const out: Record<string, SentimentLabel> = {};
  for (const part of spec.split(',')) {
    const [k, v] = part.split('=').map((s) => s?.trim());
    if (!k || !v || !(SENTIMENT_LABELS as readonly string[]).includes(v.toLowerCase()))
      throw new ServiceSettingError(
        `invalid label map entry "${part}": expected NAME=positive|negative|neutral`,
      );
    out[k] = v.toLowerCase() as SentimentLabel;
  }
  return out;
}
