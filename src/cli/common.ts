/** Options and helpers shared by CLI commands. */
import { type Command, Option } from 'commander';
import { parseQuarter, parseQuarterRange } from '../config/quarter.js';
import { intSetting, stringSetting } from '../config/settings.js';
import { type LakeStore, openStore } from '../lake/store.js';
import { createSource, sourceKinds } from '../sources/index.js';
import type { TranscriptSource } from '../sources/types.js';

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
    .option('--input <path>', 'input folder or file of the source');
}

export function lakeFrom(opts: { lake?: string }): LakeStore {
  return openStore(stringSetting('lake', opts.lake, './lake'));
}

export async function sourceFrom(opts: Record<string, unknown>): Promise<TranscriptSource> {
  const kind = stringSetting('source', opts.source);
  if (!kind) throw new UsageError('missing --source <kind>');
  if (!sourceKinds().includes(kind))
    throw new UsageError(`unknown source "${kind}": expected one of ${sourceKinds().join(', ')}`);
  const input = stringSetting('input', opts.input);
  if (!input && kind !== 'capiq') throw new UsageError(`source ${kind} needs --input <path>`);
  return createSource({ ...opts, kind, input });
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
