/** Model ids and client settings shared by the HTTP and SageMaker adapters (settings keys of today's flags). */
import { intSetting, stringSetting } from '../config/settings.js';
import { DEFAULT_SENTIMENT_MODEL } from '../sentiment/create.js';

/** The user's FP8 8B (text-only Qwen3; ~9 GB of weights), thinking off (settings `llmThinking`). */
export const DEFAULT_CHAT_MODEL = 'Qwen/Qwen3-8B-FP8';
export const DEFAULT_EMBED_MODEL = 'Qwen/Qwen3-Embedding-8B';
export const SENTIMENT_STAGE = 'sentiment';

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
