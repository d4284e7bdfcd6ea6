/** `pnpm firm-worker [--until-idle]`: consumes the partitions queue (settings from the environment). */
import { runWorkerMain } from '@callthemes/common/fleet';
import { createWorker } from './partition-worker.js';

const USAGE = `Usage: firm-worker [--until-idle]

Consumes partition messages: per firm fetch, sentences, topics, names and sentiment labels into the lake,
then completes the partition in the counters (and sends the quarter's theme message when it was the last).
Settings from the environment: CALLTHEMES_LAKE, CALLTHEMES_PARTITIONS_QUEUE_URL, CALLTHEMES_THEMES_QUEUE_URL,
CALLTHEMES_COUNTERS_TABLE (unset: the local backend beside the lake), CALLTHEMES_LLM_URL, ...

  --until-idle   exit once the queue has been empty for CALLTHEMES_IDLE_SECONDS (default 5)

Example: CALLTHEMES_LAKE=./lake pnpm firm-worker --until-idle
`;

process.exitCode = await runWorkerMain(
  {
    name: 'firm-worker',
    usage: USAGE,
    queue: (fleet) => fleet.partitions,
    createHandler: (ctx) => createWorker(ctx),
    async warmUp(ctx) {
      if (ctx.runtime.embedsOffline) await ctx.runtime.sif();
    },
  },
  process.argv.slice(2),
);
