/**
 * The service flags of a run (`--llm-*`, `--embed-*`, `--sentiment-*`) after settings precedence, checked here so
 * a bad one exits 2 before any work, then handed to local workers as their CALLTHEMES_* environment (the same
 * names a container's task definition sets). The model names go into the plan: they change the output.
 */
import { envNameFor, stringSetting } from '@callthemes/common/config';
import { SIF_MODEL_ID } from '@callthemes/common/embed';
import { inferenceLedger, ServiceSettingError, serviceSettingsFrom } from '@callthemes/common/inference';
import { LEXICON_MODEL } from '@callthemes/common/sentiment';
import { UsageError } from './common.js';
import { refuseSentimentTuningAlone } from './sentiment-options.js';
import { SENTIMENT_FLAGS } from './service-options.js';

export interface ServiceChoice {
  /** CALLTHEMES_* variables for the workers. */
  env: Record<string, string>;
  /** The models whose answers shape the output: embedder, namer, classifier. */
  models: Record<string, string>;
}

const SERVICE_FLAGS = ['llmUrl', 'llmModel', 'embedUrl', 'embedModel', ...SENTIMENT_FLAGS] as const;

export function serviceChoiceFrom(opts: Record<string, unknown>): ServiceChoice {
  refuseSentimentTuningAlone(opts);
  const flags: Record<string, string | undefined> = {};
  for (const k of SERVICE_FLAGS) flags[k] = stringSetting(k, opts[k]);
  let settings: ReturnType<typeof serviceSettingsFrom>;
  try {
    settings = serviceSettingsFrom(flags);
    inferenceLedger(); // prices and budgets: a bad one exits 2 here, not in every worker
  } catch (err) {
    if (err instanceof ServiceSettingError) throw new UsageError(err.message);
    throw err;
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) env[envNameFor(k)] = v;
  return {
    env,
    models: {
      embedder: settings.embed?.model ?? SIF_MODEL_ID,
      namer: settings.llm?.model ?? 'keywords',
      classifier: settings.classify?.model ?? LEXICON_MODEL,
    },
  };
}
