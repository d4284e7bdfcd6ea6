/** `callthemes run`: every stage over a range of quarters, batches on a worker pool, resumable. */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { intSetting, stringSetting } from '@callthemes/common/config';
import { cacheDirFrom } from '@callthemes/common/embed';
import { createClassifier } from '@callthemes/common/sentiment';
import { ServiceSettingError, serviceSettingsFrom } from '@callthemes/common/services';
import { Command, Option } from 'commander';
import { type FirmSelection, type RunConfig, WORKER_KINDS, type WorkerKind } from '../../run/config.js';
import { runPipeline } from '../../run/orchestrator.js';
import { progressFor } from '../../run/progress.js';
import { STAGES } from '../../run/stages.js';
import { summaryTable } from '../../run/summary.js';
import {
  addLakeOption,
  addSourceOptions,
  intOption,
  newRunId,
  quartersFrom,
  sourceKindFrom,
  topicSettingsFrom,
  UsageError,
  withExample,
} from '../common.js';
import { addServiceOptions } from '../service-options.js';

/** The source flags given (`--pg-url`, `--capiq-schema`…): every worker builds its source from them. */
function sourceOptionsOf(opts: Record<string, unknown>): Record<string, unknown> {
  const names = addSourceOptions(new Command()).options.map((o) => o.attributeName());
  return Object.fromEntries(names.filter((n) => opts[n] !== undefined).map((n) => [n, opts[n]]));
}

/** `--firms 20` → the first 20 firms by id; `--firms ids.txt` → the ids in the file (one a line, # comments). */
export function firmSelectionFrom(spec: string | undefined): FirmSelection {
  if (spec === undefined || spec === '') return null;
  if (/^\d+$/.test(spec.trim())) {
    const limit = Number(spec.trim());
    if (limit < 1)
      throw new UsageError(`invalid --firms "${spec}": expected a count ≥ 1 or a file of firm ids`);
    return { limit };
  }
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--firms ${spec}: cannot read the file of firm ids (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  const ids = [
    ...new Set(
      text
        .split(/[\r\n,]+/)
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean),
    ),
  ];
  if (ids.length === 0) throw new UsageError(`--firms ${spec}: the file names no firm ids`);
  return { file: spec, ids };
}

/** The service flags (`--llm-*`, `--embed-*`) after settings precedence, checked here so a bad one exits 2. */
function serviceFlagsFrom(opts: Record<string, string | undefined>): Record<string, string> {
  const flags = {
    llmUrl: stringSetting('llmUrl', opts.llmUrl),
    llmModel: stringSetting('llmModel', opts.llmModel),
    embedUrl: stringSetting('embedUrl', opts.embedUrl),
    embedModel: stringSetting('embedModel', opts.embedModel),
  };
  try {
    serviceSettingsFrom(flags);
  } catch (err) {
    if (err instanceof ServiceSettingError) throw new UsageError(err.message);
    throw err;
  }
  return Object.fromEntries(Object.entries(flags).filter((e): e is [string, string] => e[1] !== undefined));
}

const SENTIMENT_FLAGS = [
  'sentimentUrl',
  'sentimentApi',
  'sentimentModel',
  'sentimentBatchSize',
  'sentimentConcurrency',
  'sentimentLabelMap',
] as const;

/** The sentiment flags after settings precedence, checked here so a bad one exits 2 before any work. */
function sentimentFlagsFrom(opts: Record<string, unknown>): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const k of SENTIMENT_FLAGS) {
    const v = stringSetting(k, opts[k]);
    if (v !== undefined) flags[k] = v;
  }
  try {
    void createClassifier(flags).close?.();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return flags;
}

function workerKindFrom(v: unknown): WorkerKind {
  const kind = stringSetting('workers', v, 'thread');
  if (!(WORKER_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`invalid --workers "${kind}": expected one of ${WORKER_KINDS.join(', ')}`);
  return kind as WorkerKind;
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description(
      `run every stage (${STAGES.map((s) => s.name).join(', ')}) over a range of quarters into the lake; ` +
        'the same command resumes an interrupted run',
    )
    .option('--quarters <range>', 'quarters, e.g. 2021Q1..2021Q4 or 2021Q1,2021Q3')
    .option('--firms <n|file>', 'only the first N firms of each quarter by id, or the ids listed in a file')
    .option('--batch-size <n>', 'firms per batch (default 50)')
    .option('--flush-every <n>', 'firms per Parquet part inside a batch (default 50)')
    .option('--concurrency <k>', 'batches at once on the worker pool (default: the number of cores)')
    .addOption(
      new Option('--workers <kind>', 'worker threads or child processes (default thread)').choices([
        ...WORKER_KINDS,
      ]),
    )
    .option('--min-tokens <n>', 'drop sentences with fewer word tokens (default 5)')
    .option('--seed <n>', 'seed of the randomised steps, for identical reruns (default 42)')
    .option(
      '--min-topic-size <n>',
      'smallest topic in sentences (default: max(5, sentences / 50); env CALLTHEMES_MIN_TOPIC_SIZE)',
    )
    .option(
      '--outlier-threshold <cos>',
      'reassign an outlier sentence to the most similar topic when cosine ≥ this (default: keep outliers)',
    )
    .option(
      '--cache-dir <dir>',
      'cache folder for the word vectors (default .cache; env CALLTHEMES_CACHE_DIR)',
    )
    .option('--sentiment-url <url>', 'served sentiment classifier (vLLM or TEI); default: offline lexicon')
    .option('--sentiment-api <api>', 'format of the served classifier: vllm (/classify) or tei (/predict)')
    .option('--sentiment-model <name>', 'served sentiment model (default yiyanghkust/finbert-tone)')
    .option('--sentiment-batch-size <n>', 'texts per request to the sentiment service (default 32)')
    .option('--sentiment-concurrency <n>', 'sentiment requests in flight at once per worker (default 4)')
    .option('--sentiment-label-map <map>', 'label names of the model, e.g. LABEL_0=neutral,LABEL_1=positive')
    .option('--run-id <id>', 'name the run (default: run-<UTC time>-<random>)');
  addSourceOptions(cmd);
  addLakeOption(cmd);
  addServiceOptions(cmd);
  withExample(
    cmd,
    'callthemes run --source ectsum --input examples/ectsum --quarters 2021Q1..2021Q2 --lake ./lake',
  );
  cmd.addHelpText(
    'after',
    '\nProgress goes to stderr (live bars on a terminal, one line per firm otherwise); the summary table to\n' +
      'stdout; metrics to <lake>/_runs/<run_id>.json. SIGTERM finishes the current firms, flushes and exits 143;\n' +
      'run the same command again to resume: finished batches are skipped.\n',
  );
  cmd.action(async (opts) => {
    const quarters = quartersFrom(opts.quarters);
    const { kind, input } = sourceKindFrom(opts);
    const runId = stringSetting('runId', opts.runId) ?? newRunId();
    if (!/^[A-Za-z0-9._-]+$/.test(runId))
      throw new UsageError(`invalid --run-id "${runId}": use letters, digits, '.', '_' and '-'`);
    let concurrency: number;
    try {
      concurrency = intSetting('concurrency', opts.concurrency, availableParallelism());
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const config: RunConfig = {
      runId,
      lake: stringSetting('lake', opts.lake, './lake'),
      source: { ...sourceOptionsOf(opts), kind, input },
      quarters,
      firms: firmSelectionFrom(stringSetting('firms', opts.firms)),
      batchSize: intOption('batchSize', opts.batchSize, 50),
      flushEvery: intOption('flushEvery', opts.flushEvery, 50),
      concurrency,
      workers: workerKindFrom(opts.workers),
      minTokens: intOption('minTokens', opts.minTokens, 5, 0),
      seed: intOption('seed', opts.seed, 42, 0),
      topics: topicSettingsFrom(opts),
      cacheDir: cacheDirFrom(opts.cacheDir),
      services: { ...serviceFlagsFrom(opts), ...sentimentFlagsFrom(opts) },
    };

    const progress = progressFor(process.stderr);
    const stop = new AbortController();
    let signalCode = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalCode !== 0) process.exit(signalCode); // a second signal: leave now
      signalCode = sig === 'SIGINT' ? 130 : 143;
      stop.abort();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      const outcome = await runPipeline(config, { progress, signal: stop.signal });
      progress.close();
      for (const e of outcome.errors) process.stderr.write(`error: ${e}\n`);
      process.stdout.write(summaryTable(outcome.metrics));
      process.exitCode =
        outcome.status === 'ok' ? 0 : outcome.status === 'interrupted' ? signalCode || 143 : 1;
    } finally {
      progress.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  });
}
