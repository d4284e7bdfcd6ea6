/** Options and helpers shared by CLI commands. */

import {
  intSetting,
  numberSetting,
  parseQuarter,
  parseQuarterRange,
  settingValue,
  stringSetting,
} from '@callthemes/common/config';
import { type LakeStore, openStore } from '@callthemes/common/lake';
import type { TranscriptSource } from '@callthemes/common/sources';
import { createSource, sourceKinds } from '@callthemes/common/sources';
import { checkSchemaName, QUARTER_BASES, READ_PATHS } from '@callthemes/common/sources/capiq';
import { type Command, InvalidArgumentError, Option } from 'commander';

/** A bad flag or value: printed as one line plus the command's usage, exit code 2. */
export class UsageError extends Error {}

export function addLakeOption(cmd: Command): Command {
  return cmd.option(
    '--lake <dir>',
    'lake folder or s3://bucket/prefix (default ./lake; env CALLTHEMES_LAKE)',
  );
}

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--source <kind>', `transcript source: ${sourceKinds().join(', ')}`))
    .option('--input <path>', 'input folder or file of the source')
    .option(
      '--pg-url <url>',
      'capiq: postgresql://user@host:port/db (default: PGHOST… variables, else WRDS); password via PGPASSWORD or .pgpass',
    )
    .option('--pg-secret-id <id>', 'capiq: AWS Secrets Manager secret holding username and password')
    .addOption(
      new Option(
        '--quarter-basis <basis>',
        'capiq: a call belongs to the calendar quarter of its date, or its fiscal label',
      ).choices(QUARTER_BASES),
    )
    .option(
      '--capiq-schema <name>',
      'capiq: schema of the transcript tables (default ciq_transcripts)',
      schemaName,
    )
    .option('--capiq-links-schema <name>', 'capiq: schema of wrds_ticker (default ciq_common)', schemaName)
    .addOption(
      new Option(
        '--capiq-read-path <path>',
        'capiq: WRDS views or Xpressfeed base tables (default views)',
      ).choices(READ_PATHS),
    );
}

function schemaName(value: string): string {
  try {
    return checkSchemaName(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function lakeFrom(opts: { lake?: string }): LakeStore {
  return openStore(stringSetting('lake', opts.lake, './lake'));
}

/** `sentimentBatchSize` → `--sentiment-batch-size`. */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Refuses the flags among `keys` that are given although the others make them mean nothing (exit 2, `why`). */
export function refuseGiven(opts: Record<string, unknown>, keys: readonly string[], why: string): void {
  const given = keys.filter((k) => opts[k] !== undefined);
  if (given.length > 0) throw new UsageError(`${given.map(flagOf).join(', ')} ${why}`);
}

/** The source flags that only the Capital IQ source reads. */
const CAPIQ_FLAGS = [
  'pgUrl',
  'pgSecretId',
  'quarterBasis',
  'capiqSchema',
  'capiqLinksSchema',
  'capiqReadPath',
] as const;

/** The checked --source kind and --input path (capiq reads a database and needs no input). */
export function sourceKindFrom(opts: Record<string, unknown>): { kind: string; input: string | undefined } {
  const kind = stringSetting('source', opts.source);
  if (!kind) throw new UsageError('missing --source <kind>');
  if (!sourceKinds().includes(kind))
    throw new UsageError(`unknown source "${kind}": expected one of ${sourceKinds().join(', ')}`);
  const input = stringSetting('input', opts.input);
  if (!input && kind !== 'capiq') throw new UsageError(`source ${kind} needs --input <path>`);
  if (kind !== 'capiq') refuseGiven(opts, CAPIQ_FLAGS, 'only apply to --source capiq');
  return { kind, input };
}

export async function sourceFrom(opts: Record<string, unknown>): Promise<TranscriptSource> {
  return createSource({ ...opts, ...sourceKindFrom(opts) });
}

/** Repeated `key=value` flags (e.g. CDK context) as an object. */
export function keyValuesFrom(pairs: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs ?? []) {
    const at = p.indexOf('=');
    if (at <= 0) throw new UsageError(`invalid ${what} "${p}": expected key=value`);
    out[p.slice(0, at)] = p.slice(at + 1);
  }
  return out;
}

export function quartersFrom(spec: string | undefined, flag = '--quarters'): string[] {
  if (!spec) throw new UsageError(`missing ${flag} <range>`);
  try {
    return parseQuarterRange(spec);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function quarterFrom(spec: string | undefined): string {
  if (!spec) throw new UsageError('missing --quarter <YYYYQn>');
  try {
    const { year, q } = parseQuarter(spec);
    return `${year}Q${q}`;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function intOption(key: string, value: unknown, fallback: number, min = 1): number {
  try {
    return intSetting(key, value, fallback, min);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function newRunId(): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `run-${t}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Attaches an example to a command's --help. */
export function withExample(cmd: Command, example: string): Command {
  return cmd.addHelpText('after', `\nExample:\n  ${example}\n`);
}

/**
 * Integer flags several commands take with one meaning, declared once (flag, help, default, minimum) so their
 * --help and their parsing cannot drift apart between commands.
 */
const SHARED_INT_FLAGS = {
  batchSize: { flag: '--batch-size <n>', help: 'firms per batch (default 50)', fallback: 50, min: 1 },
  flushEvery: {
    flag: '--flush-every <n>',
    help: 'firms per Parquet part (default 50)',
    fallback: 50,
    min: 1,
  },
  minTokens: {
    flag: '--min-tokens <n>',
    help: 'drop sentences with fewer word tokens (default 5)',
    fallback: 5,
    min: 0,
  },
  seed: {
    flag: '--seed <n>',
    help: 'seed of the randomised steps, for identical reruns (default 42)',
    fallback: 42,
    min: 0,
  },
} as const;
export type SharedIntFlag = keyof typeof SHARED_INT_FLAGS;

export function addIntFlags(cmd: Command, ...keys: SharedIntFlag[]): Command {
  for (const k of keys) cmd.option(SHARED_INT_FLAGS[k].flag, SHARED_INT_FLAGS[k].help);
  return cmd;
}

/** The flags' values after settings precedence (flag, CALLTHEMES_*, config file, default), checked. */
export function intFlagsFrom<K extends SharedIntFlag>(
  opts: Record<string, unknown>,
  ...keys: K[]
): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = intOption(k, opts[k], SHARED_INT_FLAGS[k].fallback, SHARED_INT_FLAGS[k].min);
  return out;
}

/** `--min-topic-size` and `--outlier-threshold`, read by topicSettingsFrom (firm-batch and run share them). */
export function addTopicOptions(cmd: Command): Command {
  return cmd
    .option(
      '--min-topic-size <n>',
      'smallest topic in sentences (default: max(5, sentences / 50); env CALLTHEMES_MIN_TOPIC_SIZE)',
    )
    .option(
      '--outlier-threshold <cos>',
      'reassign an outlier sentence to the most similar topic when cosine ≥ this (default: keep outliers; env CALLTHEMES_OUTLIER_THRESHOLD)',
    );
}

/** `--min-topic-size` and `--outlier-threshold` after settings precedence (firm-batch and run share them). */
export function topicSettingsFrom(opts: { minTopicSize?: string; outlierThreshold?: string }): {
  minTopicSize: number | 'auto';
  outlierThreshold: number | null;
} {
  // Unset means the model's automatic topic size and kept outliers, the model's defaults.
  const minTopicSize =
    settingValue('minTopicSize', opts.minTopicSize) === undefined
      ? 'auto'
      : intOption('minTopicSize', opts.minTopicSize, 5, 2);
  let outlierThreshold: number | null = null;
  if (settingValue('outlierThreshold', opts.outlierThreshold) !== undefined) {
    try {
      outlierThreshold = numberSetting('outlierThreshold', opts.outlierThreshold, 0);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (outlierThreshold < -1 || outlierThreshold > 1)
      throw new UsageError(`invalid outlierThreshold "${outlierThreshold}": expected a cosine in [-1, 1]`);
  }
  return { minTopicSize, outlierThreshold };
}
