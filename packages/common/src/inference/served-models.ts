/** Model ids the HTTP and SageMaker adapters serve by default, and the ledger stages of their calls. */
import { intSetting, stringSetting } from '../config/settings.js';

/** The user's FP8 8B (text-only Qwen3; ~9 GB of weights), thinking off (settings `llmThinking`). */
export const DEFAULT_CHAT_MODEL = 'Qwen/Qwen3-8B-FP8';
export const DEFAULT_EMBED_MODEL = 'Qwen/Qwen3-Embedding-8B';
export const DEFAULT_SENTIMENT_MODEL = 'yiyanghkust/finbert-tone';
export const SENTIMENT_STAGE = 'sentiment';
/** The chat calls' stages (the naming budget applies to these). */
export const TOPIC_NAMING_STAGE = 'topic-naming';
export const THEME_NAMING_STAGE = 'theme-naming';

export interface ServedModels {
  chat: string;
  embed: string;
  classify: string;
  /** Embedding output dimension for Matryoshka models; the model's own when absent. */
  dimensions?: number;
}

export function servedModelsFromSettings(over: Partial<ServedModels> = {}): ServedModels {
  const dims = stringSetting('embedDimensions', undefined);
  return {
    chat: over.chat ?? stringSetting('llmModel', undefined, DEFAULT_CHAT_MODEL),
    embed: over.embed ?? stringSetting('embedModel', undefined, DEFAULT_EMBED_MODEL),
    classify: over.classify ?? stringSetting('sentimentModel', undefined, DEFAULT_SENTIMENT_MODEL),
    dimensions: over.dimensions ?? (dims ? intSetting('embedDimensions', undefined, 1) : undefined),
  };
}
