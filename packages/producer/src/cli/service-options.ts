/**
 * The service flags of the commands that call a model: `--llm-url U --llm-model M` switch topic and theme names
 * to the LLM, `--embed-url U --embed-model M` switch embeddings to the served model, `--sentiment-*` switch
 * sentence labels to a served classifier. Each command declares only the ones it reads (themes: the namer; run:
 * all three; sentiment: the classifier), so a flag a command would ignore is refused as unknown.
 */

import {
  type ComposedInference,
  createInference,
  inferenceSpecFromEnv,
  type ServiceFlags,
  ServiceSettingError,
} from '@callthemes/common/inference';
import type { LakeStore } from '@callthemes/common/lake';
import type { Command } from 'commander';
import { flagOf, UsageError } from './common.js';

export function addNamerOptions(cmd: Command): Command {
  return cmd
    .option(
      '--llm-url <url>',
      'OpenAI-compatible chat service for topic/theme names, e.g. http://gpu:8000/v1',
    )
    .option(
      '--llm-model <id>',
      'model id served there, e.g. Qwen/Qwen3-8B (key: env CALLTHEMES_LLM_API_KEY)',
    );
}

export function addServiceOptions(cmd: Command): Command {
  return addNamerOptions(cmd)
    .option('--embed-url <url>', 'OpenAI-compatible /v1/embeddings service (default: offline embeddings)')
    .option('--embed-model <id>', 'embedding model id, e.g. Qwen/Qwen3-Embedding-8B');
}

/** The served classifier's flags; every one but the URL tunes the service, so each needs `--sentiment-url`. */
export const SENTIMENT_FLAGS = [
  'sentimentUrl',
  'sentimentApi',
  'sentimentModel',
  'sentimentBatchSize',
  'sentimentConcurrency',
  'sentimentLabelMap',
] as const;

export function addSentimentOptions(cmd: Command): Command {
  return cmd
    .option(
      '--sentiment-url <url>',
      'served classifier (vLLM or text-embeddings-inference); default: offline lexicon',
    )
    .option('--sentiment-api <api>', 'format of the served classifier: vllm (/classify) or tei (/predict)')
    .option('--sentiment-model <name>', 'served model name (default yiyanghkust/finbert-tone)')
    .option('--sentiment-batch-size <n>', 'texts per request to the service (default 32)')
    .option('--sentiment-concurrency <n>', 'requests in flight at once, per worker (default 4)')
    .option('--sentiment-label-map <map>', 'label names of the model, e.g. LABEL_0=neutral,LABEL_1=positive');
}

/** Flags given on the command line that only matter with `partner` set (by flag, environment or config). */
export function refuseWithout(
  opts: Record<string, unknown>,
  partner: { key: string; set: boolean; flag: string },
  keys: readonly string[],
): void {
  if (partner.set) return;
  const given = keys.filter((k) => k !== partner.key && opts[k] !== undefined);
  if (given.length > 0)
    throw new UsageError(`${given.map(flagOf).join(', ')} only apply with ${partner.flag}`);
}

/**
 * The process's Inference for a command: CALLTHEMES_INFERENCE and the command's service flags (a kind without a
 * URL stays offline), response caches in the lake. Bad settings become UsageError (exit 2).
 */
export async function inferenceFrom(opts: ServiceFlags, store: LakeStore): Promise<ComposedInference> {
  try {
    return await createInference(inferenceSpecFromEnv(), {
      flags: opts,
      store,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (err) {
    if (err instanceof ServiceSettingError) throw new UsageError(err.message);
    throw err;
  }
}
