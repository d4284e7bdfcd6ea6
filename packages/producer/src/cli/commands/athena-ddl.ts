/** `callthemes athena-ddl`: prints the Athena/Glue DDL of every lake table (and the derived views). */
import { writeFile } from 'node:fs/promises';
import { stringSetting } from '@callthemes/common/config';
import { athenaDdl } from '@callthemes/common/query';
import type { Command } from 'commander';
import { quartersFrom, UsageError, withExample } from '../common.js';

export function registerAthenaDdl(program: Command): void {
  const cmd = program
    .command('athena-ddl')
    .description('print Athena/Glue DDL for every lake table, partition projection on quarter')
    .option(
      '--location <s3>',
      'lake root on S3, s3://bucket/prefix (default: the lake setting when it is s3://)',
    )
    .option('--database <name>', 'Glue database (default callthemes)')
    .option(
      '--quarters <range>',
      'quarters the projection enumerates (default 2000Q1..2030Q4, like the CDK stack)',
    )
    .option('--out <file>', 'write to a file instead of stdout');
  withExample(cmd, 'callthemes athena-ddl --location s3://my-bucket/callthemes --quarters 2019Q1..2026Q4');
  cmd.action(async (opts) => {
    const lake = stringSetting('lake', undefined);
    const location = opts.location ?? (lake?.startsWith('s3://') ? lake : undefined);
    if (!location) throw new UsageError('missing --location s3://bucket/prefix');
    let statements: string[];
    try {
      statements = athenaDdl({
        database: stringSetting('athenaDatabase', opts.database, 'callthemes'),
        location,
        quarters: quartersFrom(opts.quarters ?? '2000Q1..2030Q4'),
      });
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError((err as Error).message);
    }
    const text = `${statements.join(';\n\n')};\n`;
    if (opts.out) await writeFile(opts.out, text);
    else process.stdout.write(text);
  });
}
