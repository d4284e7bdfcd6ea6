/**
 * The default scenario, as a user's first deploy would go: the producer enqueues the local input with the AWS
 * backend (its own upload puts it on S3), K firm tasks and one theme task run; one firm task and the theme task
 * are SIGKILLed at an observed point — after their logged receive (the firm task once a firm of its partition is
 * written, the theme task at its `received` line), before their delete — and restarted as ECS would; the killed messages come back after the visibility timeout and finish with
 * receive count 2; `producer status` until every quarter is themed; `producer redrive` (nothing dead-lettered).
 */

import type { WorkerTask } from '../processes.js';
import type { Scenario } from '../scenario.js';
import { enqueueInput } from './shared.js';

export const defaultScenario: Scenario = {
  name: 'default',
  description:
    'enqueue with upload, K firm tasks + 1 theme task, one of each killed mid-message and restarted',
  async run(ctx) {
    await enqueueInput(ctx);

    const killed: { firm?: string; theme?: string } = {};
    const seen: { firm?: number; theme?: number } = {};
    const restart = (t: WorkerTask, worker: 'firm-worker' | 'theme-worker') => {
      t.kill();
      void t.exited.then(() => {
        ctx.log(`${t.name} killed (SIGKILL); ECS starts a replacement`);
        ctx.startTask(worker);
      });
    };
    ctx.onEvent((t, ev) => {
      if (ev.event === 'firm' && !killed.firm && !t.killed) {
        killed.firm = `${ev.quarter} partition ${ev.partition}`;
        ctx.log(`${t.name}: ${ev.firmId} of ${killed.firm} done, message not deleted yet → kill`);
        restart(t, 'firm-worker');
      } else if (ev.event === 'received' && ev.partition === undefined && !killed.theme && !t.killed) {
        killed.theme = `${ev.quarter} themes`;
        ctx.log(
          `${t.name}: received the ${ev.quarter} theme message (receive count ${ev.receiveCount}) → kill`,
        );
        restart(t, 'theme-worker');
      } else if (ev.event === 'partition' && killed.firm === `${ev.quarter} partition ${ev.partition}`) {
        seen.firm = Number(ev.receiveCount);
        ctx.log(`${t.name}: ${killed.firm} finished again, receive count ${ev.receiveCount}`);
      } else if (ev.event === 'theme' && killed.theme === `${ev.quarter} themes` && !t.killed) {
        seen.theme = Number(ev.receiveCount);
        ctx.log(
          `${t.name}: ${killed.theme} done on redelivery: ${ev.themes} themes, receive count ${ev.receiveCount}`,
        );
      } else if (ev.event === 'partition') {
        ctx.log(`${t.name}: ${ev.quarter} partition ${ev.partition} done (${ev.done}/${ev.expected})`);
      } else if (ev.event === 'theme') {
        ctx.log(`${t.name}: ${ev.quarter} themed: ${ev.themes} themes; next ${JSON.stringify(ev.next)}`);
      }
    });
    for (let k = 0; k < ctx.options.concurrency; k++) ctx.startTask('firm-worker');
    ctx.startTask('theme-worker');
    await ctx.waitUntilThemed(20 * 60_000);
    // The runbook's redrive, as an operator runs it after a run: nothing is in the DLQs, nothing moves.
    const r = await ctx.producer(['redrive', '--backend', 'aws', '--queue', 'partitions']);
    if (r.code !== 0)
      throw new Error(`producer redrive exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
    ctx.log(`producer redrive: ${r.stdout.trim()}`);
    ctx.report.push(`producer redrive --backend aws --queue partitions: ${r.stdout.trim()}`);
    ctx.report.push(
      `killed mid-message: ${killed.firm ?? 'no firm message'} → redelivered, receive count ${seen.firm ?? 'not seen'}`,
      `killed mid-message: ${killed.theme ?? 'no theme message'} → redelivered, receive count ${seen.theme ?? 'not seen'}`,
    );
    if (seen.firm !== 2 || seen.theme !== 2)
      throw new Error(
        `the killed messages did not finish with receive count 2 (firm ${seen.firm ?? 'never'}, theme ${seen.theme ?? 'never'})`,
      );
  },
};
