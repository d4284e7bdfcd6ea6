/** `callthemes firm-batch`: the firm stage for one partition of a quarter's firms — sentences, topics, keyword names. */

import { cacheDirFrom, SifEmbedder } from '@callthemes/common/embed';
import { writeListingRejects } from '@callthemes/common/lake';
import { partitionCount } from '@callthemes/common/sources';
import { createTopicAnalyzer } from '@callthemes/common/topics';
import { runFirmStage } from '@callthemes/firm-worker';
import type { Command } from 'commander';
import {
  addIntFlags,
  addLakeOption,
  addSourceOptions,
  addTopicOptions,
  intFlagsFrom,
  intOption,
  lakeFrom,
  newRunId,
  quarterFrom,
  sourceFrom,
  topicSettingsFrom,
  UsageError,
  withExample,
} from '../common.js';

export function registerFirmBatch(program: Command): void {
  const cmd = program
    .command('firm-batch')
    .description(
      'the firm stage for one partition (`--batch`): sentences, per-firm topics and their names, written to the lake',
    )
    .option('--quarter <q>', 'quarter, e.g. 2021Q2')
    .option('--batch <i>', '0-based batch index (see `callthemes batches`)')
    .option(
      '--cache-dir <dir>',
      'cache folder for the word vectors (default .cache; env CALLTHEMES_CACHE_DIR)',
    );
  addIntFlags(cmd, 'batchSize', 'flushEvery', 'minTokens', 'seed');
  addTopicOptions(cmd);
  addSourceOptions(cmd);
  addLakeOption(cmd);
  withExample(
    cmd,
    'callthemes firm-batch --source ectsum --input examples/ectsum --quarter 2021Q2 --batch 0 --batch-size 10 --lake ./lake',
  );
  cmd.action(async (opts) => {
    const quarter = quarterFrom(opts.quarter);
    if (opts.batch === undefined) throw new UsageError('missing --batch <i>');
    const batch = intOption('batch', opts.batch, 0, 0);
    const { batchSize, flushEvery, minTokens, seed } = intFlagsFrom(
      opts,
      'batchSize',
      'flushEvery',
      'minTokens',
      'seed',
    );
    const { minTopicSize: minClusterSize, outlierThreshold } = topicSettingsFrom(opts);
    const store = lakeFrom(opts);
    const source = await sourceFrom(opts);
    const listing = await source.listFirms(quarter);
    const nPartitions = partitionCount(listing.firms.length, batchSize);
    if (batch >= Math.max(1, nPartitions))
      throw new UsageError(
        `--batch ${batch} is out of range: ${quarter} has ${nPartitions} batch(es) of ${batchSize}`,
      );
    // The listing's rejects belong to the quarter, not to a batch: batch 0 records them.
    if (batch === 0) await writeListingRejects(store, quarter, listing.rejects);
    const t0 = performance.now();
    const embedder = SifEmbedder.load({ cacheDir: cacheDirFrom(opts.cacheDir) });
    const analyzer = createTopicAnalyzer({ embedder, model: { minClusterSize, outlierThreshold, seed } });
    const runId = newRunId();
    const res = await runFirmStage({
      store,
      source,
      quarter,
      batch,
      batchSize,
      runId,
      flushEvery,
      filter: { minTokens },
      firms: listing.firms,
      analyzer,
      manifestExtra: { embeddingModel: embedder.model, namer: 'keywords' },
      onFirm: (e) =>
        process.stderr.write(
          e.ok
            ? `${e.firmId} ${e.quarter}: ${e.nSentences} sentences, ${e.nTopics} topics, ${e.seconds.toFixed(3)} s\n`
            : `reject ${e.firmId} ${e.quarter}: ${e.reason}\n`,
        ),
    });
    await source.close?.();
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(
      `${quarter} batch ${batch}: ${res.firmsOk} firms (${res.firmsRejected} rejected), ${res.sentences} sentences, ` +
        `${res.topics} topics in ${seconds.toFixed(1)} s\n`,
    );
    if (res.firmsOk === 0) process.exitCode = 1;
  });
}
