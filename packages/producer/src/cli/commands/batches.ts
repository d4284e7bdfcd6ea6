/** `callthemes batches`: a quarter's firm partitions as JSON (what `enqueue` would cut, to inspect or script). */

import { putTextAt } from '@callthemes/common/lake';
import { describePartitions } from '@callthemes/common/sources';
import type { Command } from 'commander';
import {
  addIntFlags,
  addSourceOptions,
  intFlagsFrom,
  quarterFrom,
  sourceFrom,
  withExample,
} from '../common.js';

export function registerBatches(program: Command): void {
  const cmd = program
    .command('batches')
    .description("list a quarter's firm partitions as JSON (`--batch-size` is the partition size)")
    .option('--quarter <q>', 'quarter, e.g. 2021Q2')
    .option('--out <path>', 'also write the JSON to a file or an s3:// URL');
  addIntFlags(cmd, 'batchSize');
  addSourceOptions(cmd);
  withExample(
    cmd,
    'callthemes batches --source ectsum --input examples/ectsum --quarter 2021Q2 --batch-size 10',
  );
  cmd.action(async (opts) => {
    const quarter = quarterFrom(opts.quarter);
    const { batchSize } = intFlagsFrom(opts, 'batchSize');
    const source = await sourceFrom(opts);
    const listing = await source.listFirms(quarter).finally(() => source.close?.());
    const json = `${JSON.stringify(describePartitions(quarter, listing.firms, batchSize))}\n`;
    if (opts.out) await putTextAt(opts.out, json);
    process.stdout.write(json);
  });
}
