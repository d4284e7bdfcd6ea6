/** `callthemes sentiment`: relabels a quarter, a sentiment label for every kept sentence (the firm workers label as they go). */

import { ensureQuarterLayout, prunePartitionsFrom, sqlString } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { partitionCount } from '@callthemes/common/sources';
import { runSentimentStage, SENTIMENT_STAGE, sentimentFirms } from '@callthemes/firm-worker';
import { writeScoreTables } from '@callthemes/theme-worker';
import type { Command } from 'commander';
import {
  addIntFlags,
  addLakeOption,
  intFlagsFrom,
  intOption,
  lakeFrom,
  newRunId,
  quarterFrom,
  UsageError,
  withExample,
} from '../common.js';
import { classifierFrom } from '../sentiment-options.js';
import { addSentimentOptions } from '../service-options.js';

export function registerSentiment(program: Command): void {
  const cmd = program
    .command('sentiment')
    .description('label every kept sentence of a quarter positive, negative or neutral (sentence_sentiment)')
    .option('--quarter <q>', 'quarter, e.g. 2021Q2')
    .option('--batch <i>', 'only this batch of firms (default: every batch in turn)');
  addIntFlags(cmd, 'batchSize', 'flushEvery');
  // Sentiment reads the lake's sentences: no source, and no chat or embedding service.
  addSentimentOptions(cmd);
  addLakeOption(cmd);
  withExample(cmd, 'callthemes sentiment --quarter 2021Q2 --lake ./lake --batch 0 --batch-size 50');
  cmd.addHelpText(
    'after',
    '\nA served FinBERT: --sentiment-url http://host:8000 --sentiment-api vllm; its API key, if any, only from\n' +
      'the environment variable CALLTHEMES_SENTIMENT_API_KEY.\n',
  );
  cmd.action(async (opts) => {
    const quarter = quarterFrom(opts.quarter);
    const { batchSize, flushEvery } = intFlagsFrom(opts, 'batchSize', 'flushEvery');
    const only = opts.batch === undefined ? null : intOption('batch', opts.batch, 0, 0);
    const classifier = classifierFrom(opts);
    const store = lakeFrom(opts);
    const query = await LakeQuery.open(store);
    try {
      const firms = await sentimentFirms(query, quarter);
      const nPartitions = partitionCount(firms.length, batchSize);
      if (firms.length === 0) {
        process.stderr.write(
          `no firms for ${quarter} in the lake at ${store.root}: run the firm stage (ingest) first\n`,
        );
        process.exitCode = 1;
        return;
      }
      if (only !== null && only >= nPartitions)
        throw new UsageError(
          `batch ${only} is out of range: ${quarter} has ${nPartitions} batch(es) of ${batchSize} firms`,
        );
      const runId = newRunId();
      const batches = only === null ? [...Array(nPartitions).keys()] : [only];
      if (only === null) {
        // A relabel of the whole quarter replaces every label part: the firm workers' (cut by partition) or an
        // earlier relabel's with another batch size, and any batch beyond this one's last.
        if (await ensureQuarterLayout(store, quarter, SENTIMENT_STAGE, ['sentence_sentiment'], batchSize))
          process.stderr.write(
            `${quarter}: batch size changed to ${batchSize}; earlier label parts cleared\n`,
          );
        await prunePartitionsFrom(store, quarter, SENTIMENT_STAGE, ['sentence_sentiment'], nPartitions);
      }
      let ok = 0;
      let rejected = 0;
      let sentences = 0;
      let seconds = 0;
      const labels = { positive: 0, negative: 0, neutral: 0 };
      for (const batch of batches) {
        const res = await runSentimentStage({
          store,
          quarter,
          batch,
          batchSize,
          runId,
          classifier,
          flushEvery,
          firms,
          query,
          onFirm: (e) => {
            if (!e.ok) process.stderr.write(`reject ${e.firmId} ${quarter}: ${e.reason}\n`);
          },
        });
        ok += res.firmsOk;
        rejected += res.firmsRejected;
        sentences += res.sentences;
        seconds += res.seconds;
        for (const k of Object.keys(labels) as (keyof typeof labels)[]) labels[k] += res.labels[k];
        process.stderr.write(
          `${quarter} batch ${batch}: ${res.firmsOk} firms, ${res.sentences} sentences in ${res.seconds.toFixed(1)} s\n`,
        );
      }
      const rate = seconds > 0 ? Math.round(sentences / seconds) : 0;
      process.stdout.write(
        `labelled ${sentences} sentences of ${ok} firms (${rejected} rejected) for ${quarter} with ${classifier.model} ` +
          `in ${seconds.toFixed(1)} s (${rate} sentences/s): positive ${labels.positive}, negative ${labels.negative}, ` +
          `neutral ${labels.neutral}\n`,
      );
      // The stored research scores follow the labels (when the quarter has themes).
      if (ok > 0 && (await hasThemes(query, quarter))) await writeScoreTables(store, quarter);
      if (ok === 0) process.exitCode = 1;
    } finally {
      query.close();
      await classifier.close?.();
    }
  });
}

async function hasThemes(query: LakeQuery, quarter: string): Promise<boolean> {
  const [r] = await query
    .rows(`SELECT count(*) AS n FROM themes WHERE quarter = ${sqlString(quarter)}`)
    .catch(() => [{ n: 0 }]);
  return Number(r?.n ?? 0) > 0;
}
