/** `pnpm theme-worker [--until-idle]`: consumes the themes queue (settings from the environment). */
import { runWorkerMain } from '@callthemes/common/fleet';
import { createWorker } from './quarter-worker.js';

const USAGE = `Usage: theme-worker [--until-idle]

Consumes theme messages: a quarter's topics into cross-firm themes, names, lineage and the two sentiment score
tables; marks the quarter done and enqueues the plan's next quarter.
Settings from the environment: CALLTHEMES_LAKE, CALLTHEMES_PARTITIONS_QUEUE_URL, CALLTHEMES_THEMES_QUEUE_URL,
CALLTHEMES_COUNTERS_TABLE (unset: the local backend beside the lake), CALLTHEMES_LLM_URL, ...

  --until-idle   exit once the queue has been empty for CALLTHEMES_IDLE_SECONDS (default 5)

Example: CALLTHEMES_LAKE=./lake pnpm theme-worker --until-idle
`;

process.exitCode = await runWorkerMain(
  {
    name: 'theme-worker',
    usage: USAGE,
    queue: (fleet) => fleet.themes,
    createHandler: (ctx) => createWorker(ctx),
    async warmUp(ctx) {
      await ctx.runtime.sif();
    },
  },
  process.argv.slice(2),
);
