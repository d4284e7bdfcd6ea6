/** `callthemes ingest`: sources → sentences in the lake (the firm stage without topics), every quarter of a range. */

import { ensureQuarterLayout, writeListingRejects } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { partitionCount, unplacedRejects } from '@callthemes/common/sources';
import { FILTER_NAMES } from '@callthemes/common/text';
import { FIRM_STAGE, runFirmStage } from '@callthemes/firm-worker';
import type { Command } from 'commander';
import {
  addIntFlags,
  addLakeOption,
  addSourceOptions,
  intFlagsFrom,
  lakeFrom,
  newRunId,
  quartersFrom,
  sourceFrom,
  withExample,
} from '../common.js';

export function registerIngest(program: Command): void {
  const cmd = program
    .command('ingest')
    .description('split transcripts into sentences and write firms, sentences and rejects to the lake')
    .option('--quarters <range>', 'quarters, e.g. 2021Q1..2021Q4 or 2021Q1,2021Q3');
  addIntFlags(cmd, 'batchSize', 'flushEvery', 'minTokens');
  addSourceOptions(cmd);
  addLakeOption(cmd);
  withExample(
    cmd,
    'callthemes ingest --source ectsum --input examples/ectsum --quarters 2021Q1..2021Q2 --lake ./lake',
  );
  cmd.action(async (opts) => {
    const quarters = quartersFrom(opts.quarters);
    const { batchSize, flushEvery, minTokens } = intFlagsFrom(opts, 'batchSize', 'flushEvery', 'minTokens');
    const store = lakeFrom(opts);
    const source = await sourceFrom(opts);
    const runId = newRunId();
    const t0 = performance.now();
    let ok = 0;
    let rejected = 0;
    try {
      const unplaced = await unplacedRejects(source);
      for (const r of unplaced) process.stderr.write(`reject ${r.sourceRef}: ${r.reason}\n`);
      if (unplaced.length > 0) await writeListingRejects(store, 'unknown', unplaced);
      for (const quarter of quarters) {
        const listing = await source.listFirms(quarter);
        for (const r of listing.rejects) process.stderr.write(`reject ${r.sourceRef}: ${r.reason}\n`);
        await writeListingRejects(store, quarter, listing.rejects);
        rejected += listing.rejects.length;
        if (
          await ensureQuarterLayout(store, quarter, FIRM_STAGE, ['firms', 'sentences', 'topics'], batchSize)
        ) {
          process.stderr.write(
            `${quarter}: batch size changed to ${batchSize}; earlier firm-stage parts cleared\n`,
          );
        }
        const nPartitions = partitionCount(listing.firms.length, batchSize);
        process.stderr.write(`${quarter}: ${listing.firms.length} firms in ${nPartitions} batch(es)\n`);
        for (let b = 0; b < nPartitions; b++) {
          const res = await runFirmStage({
            store,
            source,
            quarter,
            batch: b,
            batchSize,
            runId,
            flushEvery,
            filter: { minTokens },
            firms: listing.firms,
            onFirm: (e) =>
              process.stderr.write(
                e.ok
                  ? `${e.firmId} ${e.quarter}: ${e.nSentences} sentences, ${e.seconds.toFixed(3)} s\n`
                  : `reject ${e.firmId} ${e.quarter}: ${e.reason}\n`,
              ),
          });
          ok += res.firmsOk;
          rejected += res.firmsRejected;
        }
      }
    } finally {
      await source.close?.();
    }
    const seconds = (performance.now() - t0) / 1000;
    const q = await LakeQuery.open(store);
    const qlist = quarters.map((x) => `'${x}'`).join(',');
    const [sum] = await q.rows(
      `SELECT count(*) AS firms, coalesce(sum(n_sentences_raw),0) AS raw, coalesce(sum(n_sentences),0) AS kept, ` +
        FILTER_NAMES.map((f) => `coalesce(sum(n_dropped_${f}),0) AS ${f}`).join(', ') +
        ` FROM firms WHERE quarter IN (${qlist}) AND run_id = '${runId}'`,
    );
    q.close();
    process.stdout.write(
      `ingested ${ok} firms (${rejected} rejected) over ${quarters.length} quarter(s) in ${seconds.toFixed(1)} s: ` +
        `${sum.raw} raw sentences → ${sum.kept} kept; dropped ${FILTER_NAMES.map((f) => `${f} ${sum[f]}`).join(', ')}\n`,
    );
    if (ok === 0) {
      process.stderr.write('nothing was ingested\n');
      process.exitCode = 1;
    }
  });
}
