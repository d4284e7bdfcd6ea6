/** `callthemes report`: the chosen quarters' themes as one self-contained HTML explorer. */

import { stringSetting } from '@callthemes/common/config';
import type { Command } from 'commander';
import { buildReport } from '../../report/build-report.js';
import { addLakeOption, intOption, lakeFrom, quartersFrom, UsageError, withExample } from '../common.js';

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('write an HTML theme explorer (one offline file) for a range of quarters')
    .option('--quarters <range>', 'quarters, e.g. 2021Q1..2021Q2 or 2021Q2')
    .option('--out <file>', 'HTML file to write (a path or s3://bucket/key)')
    .option('--sentences-per-topic <n>', 'representative sentences shown per topic (default 3)')
    .option('--title <text>', 'page title (default: the quarter range)')
    .option('--embed <how>', 'data in the page: gzip (smaller, default) or json (plain text)');
  addLakeOption(cmd);
  withExample(cmd, 'callthemes report --quarters 2021Q1..2021Q2 --lake ./lake --out report.html');
  cmd.action(async (opts) => {
    const quarters = quartersFrom(opts.quarters);
    const out = stringSetting('reportOut', opts.out);
    if (!out) throw new UsageError('missing --out <file>');
    const sentencesPerTopic = intOption('sentencesPerTopic', opts.sentencesPerTopic, 3, 0);
    const embed = stringSetting('reportEmbed', opts.embed, 'gzip');
    if (embed !== 'gzip' && embed !== 'json')
      throw new UsageError(`invalid embed "${embed}": expected gzip or json`);
    const store = lakeFrom(opts);
    const res = await buildReport({ store, quarters, out, sentencesPerTopic, title: opts.title, embed });
    const themes = res.data.themes.length;
    const empty = res.data.quarters.filter((q) => q.themes === 0).map((q) => q.quarter);
    if (empty.length)
      process.stderr.write(
        `no themes in the lake at ${store.root} for ${empty.join(', ')}: run \`callthemes themes --quarter <q>\` first\n`,
      );
    const s = res.seconds;
    process.stdout.write(
      `${out}: ${themes} themes of ${quarters.length} quarter(s), ${res.data.firms.length} firms, ` +
        `${(res.bytes / 1024 / 1024).toFixed(2)} MiB in ${(s.load + s.render + s.write).toFixed(1)} s ` +
        `(lake ${s.load.toFixed(1)} s, html ${s.render.toFixed(2)} s)\n`,
    );
    if (themes === 0) process.exitCode = 1;
  });
}
