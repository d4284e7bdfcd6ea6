/** `pnpm firm-worker [--until-idle]`: consumes the partitions queue (settings from the environment). */
import { runWorkerMain } from '@callthemes/common/worker-process';
import { createWorker } from './partition-worker.js';

process.exitCode = await runWorkerMain(
  {
    name: 'firm-worker',
    does: `Consumes partition messages: per firm fetch, sentences, topics, names and sentiment labels into the lake,
then completes the partition in the counters (and sends the quarter's theme message when it was the last).`,
    queue: (fleet) => fleet.partitions,
    createHandler: (ctx) => createWorker(ctx),
    async warmUp(ctx) {
      if (ctx.runtime.embedsOffline) await ctx.runtime.sif();
    },
  },
  process.argv.slice(2),
);
