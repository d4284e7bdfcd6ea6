/** `callthemes query "<SQL>"`: SQL over the lake, every table a view over all quarters. */

import { formatRows, LakeQuery, type OutputFormat } from '@callthemes/common/query';
import { type Command, Option } from 'commander';
import { addLakeOption, lakeFrom, UsageError, withExample } from '../common.js';

/** Named queries (`--preset`); other parts add theirs with registerPreset. */
export type Preset = (args: { quarter?: string }) => string;
const presets = new Map<string, Preset>();

export function registerPreset(name: string, preset: Preset): void {
  presets.set(name, preset);
}

export function registerQuery(program: Command): void {
  const cmd = program
    .command('query')
    .description(
      'run SQL over the lake (tables: firms, sentences, topics, themes, topic_themes, theme_links, sentence_sentiment, rejects; view: sentences_with_themes)',
    )
    .argument('[sql]', 'SQL to run')
    .option('--preset <name>', 'a named query instead of SQL')
    .option('--quarter <q>', 'quarter for a preset')
    .addOption(
      new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'),
    );
  addLakeOption(cmd);
  withExample(cmd, `callthemes query "SELECT quarter, count(*) AS firms FROM firms GROUP BY 1 ORDER BY 1"`);
  cmd.action(async (sql: string | undefined, opts) => {
    let text = sql;
    if (opts.preset) {
      const p = presets.get(opts.preset);
      if (!p)
        throw new UsageError(
          `unknown preset "${opts.preset}"${presets.size ? `: expected one of ${[...presets.keys()].join(', ')}` : ''}`,
        );
      text = p({ quarter: opts.quarter });
    }
    if (!text) throw new UsageError('give SQL or --preset <name>');
    const q = await LakeQuery.open(lakeFrom(opts));
    try {
      const rows = await q.rows(text);
      process.stdout.write(formatRows(rows, opts.format as OutputFormat));
    } finally {
      q.close();
    }
  });
}
