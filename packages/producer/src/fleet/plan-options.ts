/**
 * The flags that define a plan (`run` and `enqueue` share them): what to read, which quarters and firms, the
 * partition size and the model settings every worker applies. Service flags (`--llm-url` ...) are not part of
 * the plan: they travel to local workers as their CALLTHEMES_* environment, and on AWS the task definition sets them.
 */
import { readFileSync } from 'node:fs';
import { settingValue, stringSetting } from '@callthemes/common/config';
import { type FirmSelection, type PlanSettings, sourceSpecOf } from '@callthemes/common/fleet';
import type { SourceOptions } from '@callthemes/common/sources';
import { Command } from 'commander';
import {
  addIntFlags,
  addSourceOptions,
  addTopicOptions,
  intFlagsFrom,
  intOption,
  quarterFrom,
  quartersFrom,
  sourceKindFrom,
  topicSettingsFrom,
  UsageError,
} from '../cli/common.js';

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

export function addPlanOptions(cmd: Command, o: { singleQuarter?: boolean } = {}): Command {
  if (o.singleQuarter) cmd.option('--quarter <YYYYQn>', 'the quarter to enqueue, e.g. 2021Q2');
  cmd
    .option('--quarters <range>', 'quarters, e.g. 2021Q1..2021Q4 or 2021Q1,2021Q3')
    .option('--firms <n|file>', 'only the first N firms of each quarter by id, or the ids listed in a file')
    .option('--partition-size <n>', 'firms per partition message (default 50)')
    .option('--batch-size <n>', 'alias of --partition-size');
  addIntFlags(cmd, 'flushEvery', 'minTokens', 'seed');
  addTopicOptions(cmd);
  cmd.option(
    '--run-id <id>',
    'name the run (default: run-<hash of the plan>, so the same command resumes it)',
  );
  return addSourceOptions(cmd);
}

/** The source flags given (`--pg-url`, `--capiq-schema`…). */
function sourceOptionsOf(opts: Record<string, unknown>): Record<string, unknown> {
  const names = addSourceOptions(new Command()).options.map((o) => o.attributeName());
  return Object.fromEntries(names.filter((n) => opts[n] !== undefined).map((n) => [n, opts[n]]));
}

export interface PlanRequest {
  quarters: string[];
  settings: PlanSettings;
  runId?: string;
  /** The source options as given (may hold a password URL: used by this process only, never sent). */
  sourceOptions: SourceOptions;
}

export function planRequestFrom(
  opts: Record<string, unknown>,
  models: Record<string, string>,
  o: { thenQuarters?: string } = {},
): PlanRequest {
  let quarters: string[];
  if (opts.quarter !== undefined) {
    if (opts.quarters !== undefined) throw new UsageError('give --quarter or --quarters, not both');
    quarters = [quarterFrom(String(opts.quarter))];
    if (o.thenQuarters) quarters = [...quarters, ...quartersFrom(o.thenQuarters, '--then')];
  } else {
    quarters = quartersFrom(stringSetting('quarters', opts.quarters) ?? undefined);
  }
  if (new Set(quarters).size !== quarters.length)
    throw new UsageError(`the plan names a quarter twice: ${quarters.join(', ')}`);
  const { kind, input } = sourceKindFrom(opts);
  const sourceOptions: SourceOptions = { ...sourceOptionsOf(opts), kind, input };
  if (
    opts.partitionSize !== undefined &&
    opts.batchSize !== undefined &&
    opts.partitionSize !== opts.batchSize
  )
    throw new UsageError('--partition-size and --batch-size are the same setting: give one');
  // --partition-size, else its alias --batch-size, each also from CALLTHEMES_* or the config file.
  const partitionSize =
    opts.partitionSize === undefined && opts.batchSize !== undefined
      ? intOption('batchSize', opts.batchSize, 50)
      : settingValue('partitionSize', opts.partitionSize) === undefined
        ? intOption('batchSize', undefined, 50)
        : intOption('partitionSize', opts.partitionSize, 50);
  const runId = stringSetting('runId', opts.runId);
  if (runId !== undefined && !/^[A-Za-z0-9._-]+$/.test(runId))
    throw new UsageError(`invalid --run-id "${runId}": use letters, digits, '.', '_' and '-'`);
  return {
    quarters,
    runId,
    sourceOptions,
    settings: {
      source: sourceSpecOf(sourceOptions),
      firms: firmSelectionFrom(stringSetting('firms', opts.firms)),
      partitionSize,
      ...intFlagsFrom(opts, 'flushEvery', 'minTokens', 'seed'),
      topics: topicSettingsFrom(opts as { minTopicSize?: string; outlierThreshold?: string }),
      models,
    },
  };
}
