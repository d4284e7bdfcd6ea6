/**
 * The service flags every stage command shares (DESIGN "CLI"): `--llm-url U --llm-model M` switch topic and
 * theme names to the LLM, `--embed-url U --embed-model M` switch embeddings to the served model. Stage commands
 * call `addServiceOptions(cmd)` and then `servicesFrom(opts, store)`.
 */

import type { LakeStore } from '@callthemes/common/lake';
import {
  createLlmServices,
  type LlmServices,
  type ServiceDeps,
  ServiceSettingError,
  serviceSettingsFrom,
} from '@callthemes/common/services';
import type { Command } from 'commander';
import { UsageError } from './common.js';

export function addServiceOptions(cmd: Command): Command {
  return cmd
    .option(
      '--llm-url <url>',
      'OpenAI-compatible chat service for topic/theme names, e.g. http://gpu:8000/v1',
    )
    .option('--llm-model <id>', 'model id served there, e.g. Qwen/Qwen3-8B (key: env CALLTHEMES_LLM_API_KEY)')
    .option('--embed-url <url>', 'OpenAI-compatible /v1/embeddings service (default: offline embeddings)')
    .option('--embed-model <id>', 'embedding model id, e.g. Qwen/Qwen3-Embedding-8B');
}

/**
 * The configured services, with caches in the lake; `topicNamer`, `themeNamer`, `embedder` are null when not
 * configured. Bad settings become UsageError (exit 2).
 */
export async function servicesFrom(
  opts: { llmUrl?: string; llmModel?: string; embedUrl?: string; embedModel?: string },
  store: LakeStore,
  deps: Omit<ServiceDeps, 'store'> = {},
): Promise<LlmServices> {
  let settings: ReturnType<typeof serviceSettingsFrom>;
  try {
    settings = serviceSettingsFrom(opts);
  } catch (err) {
    if (err instanceof ServiceSettingError) throw new UsageError(err.message);
    throw err;
  }
  return createLlmServices(settings, {
    log: (line) => process.stderr.write(`${line}\n`),
    ...deps,
    store,
  });
}
