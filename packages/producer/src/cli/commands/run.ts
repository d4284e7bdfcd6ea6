/**
 * `callthemes run`: the whole plan on this machine with the local fleet — enqueue on the local backend, K firm
 * workers and one theme worker as processes, progress, summary. The same command resumes a stopped run.
 */
import { availableParallelism } from 'node:os';
import { intSetting, stringSetting } from '@callthemes/common/config';
import { cacheDirFrom } from '@callthemes/common/embed';
import type { Command } from 'commander';
import { addPlanOptions, planRequestFrom } from '../../fleet/plan-options.js';
import { runLocalPlan } from '../../run/local-run.js';
import { progressFor } from '../../run/progress.js';
import { summaryTable } from '../../run/summary.js';
import { addLakeOption, UsageError, withExample } from '../common.js';
import { serviceChoiceFrom } from '../service-env.js';
import { addSentimentOptions, addServiceOptions } from '../service-options.js';

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description(
      'run a plan of quarters on this machine with the local fleet (enqueue, firm workers, theme worker) into ' +
        'the lake; the same command resumes an interrupted run',
    )
    .option('--concurrency <k>', 'firm worker processes (default: the number of cores)')
    .option(
      '--cache-dir <dir>',
      'cache folder for the word vectors (default .cache; env CALLTHEMES_CACHE_DIR)',
    );
  addPlanOptions(cmd);
  addLakeOption(cmd);
  addServiceOptions(cmd);
  addSentimentOptions(cmd);
  withExample(
    cmd,
    'callthemes run --source ectsum --input examples/ectsum --quarters 2021Q1..2021Q2 --lake ./lake',
  );
  cmd.addHelpText(
    'after',
    '\nProgress goes to stderr (live bars on a terminal, one line per firm otherwise); the summary table to\n' +
      'stdout; metrics to <lake>/_runs/<run_id>.json. The queues and counters live in <lake>/_fleet/.\n' +
      'SIGTERM stops the workers (each releases its partition) and exits 143; run the same command again to\n' +
      'resume. A partition that fails 3 times goes to the dead-letter queue: the run exits 1 naming it.\n',
  );
  cmd.action(async (opts) => {
    const services = serviceChoiceFrom(opts);
    const request = planRequestFrom(opts, services.models);
    let concurrency: number;
    try {
      concurrency = intSetting('concurrency', opts.concurrency, availableParallelism());
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const lake = stringSetting('lake', opts.lake, './lake');
    const progress = progressFor(process.stderr);
    const stop = new AbortController();
    let signalCode = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalCode !== 0) process.exit(signalCode); // a second signal: leave now
      signalCode = sig === 'SIGINT' ? 130 : 143;
      stop.abort();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    try {
      const outcome = await runLocalPlan({
        request,
        lake,
        concurrency,
        workerEnv: { ...services.env, CALLTHEMES_CACHE_DIR: cacheDirFrom(opts.cacheDir) },
        progress,
        signal: stop.signal,
      });
      progress.close();
      for (const e of outcome.errors) process.stderr.write(`error: ${e}\n`);
      process.stdout.write(summaryTable(outcome.metrics));
      process.exitCode =
        outcome.status === 'ok' ? 0 : outcome.status === 'interrupted' ? signalCode || 143 : 1;
    } finally {
      progress.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  });
}
