/** `pnpm theme-worker [--until-idle]`: consumes the themes queue (settings from the environment). */
import { runWorkerMain } from '@callthemes/common/worker-process';
import { createWorker } from './quarter-worker.js';

process.exitCode = await runWorkerMain(
  {
    name: 'theme-worker',
    does: `Consumes theme messages: a quarter's topics into cross-firm themes, names, lineage and the two sentiment score
tables; marks the quarter themed and enqueues the plan's next quarter.`,
    queue: (fleet) => fleet.themes,
    createHandler: (ctx) => createWorker(ctx),
    async warmUp(ctx) {
      await ctx.runtime.sif();
    },
  },
  process.argv.slice(2),
);
