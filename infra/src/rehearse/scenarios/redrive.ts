/**
 * The redrive scenario (issue 26, item 2): the firm task whose partition completes the first quarter claims the
 * theme message and dies before sending it (CALLTHEMES_CRASH_AT=after-claim); the partition then fails its remaining
 * receives and is dead-lettered. The cause removed, `producer redrive --backend aws` moves it back — through a named
 * stand-in of SQS's StartMessageMoveTask in front of moto (receive → send → delete: a NEW message id, as SQS gives)
 * — and plain tasks finish: the redriven delivery is the same claim owner (derived from the body), sends the theme
 * message, the quarter is themed exactly once and the next quarter enqueued once.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startSqsMoveTaskProxy } from '@callthemes/common/testing';
import type { WorkerTask } from '../processes.js';
import type { Scenario } from '../scenario.js';
import { enqueueInput } from './shared.js';

export const redriveScenario: Scenario = {
  name: 'redrive',
  description: 'a partition killed after its claim, dead-lettered, redriven with a new id: themed once',
  async run(ctx) {
    const o = ctx.options;
    const stack = ctx.stack;
    const proxy = await startSqsMoveTaskProxy(stack.clientConfig);
    const sqs = new SQSClient(stack.clientConfig);
    try {
      ctx.deviations.push(
        `SQS StartMessageMoveTask (moto lacks it): the named stand-in ${proxy.url} in front of moto moves messages by receive → send → delete (new ids, as SQS); the producer's AWS_ENDPOINT_URL_SQS points at it`,
      );
      ctx.extraEnv.AWS_ENDPOINT_URL_SQS = proxy.url;
      await enqueueInput(ctx);

      // 1. The failure: every firm task dies right after claiming a quarter's theme message.
      ctx.extraEnv.CALLTHEMES_CRASH_AT = 'after-claim';
      const crashed: WorkerTask[] = [];
      const firmTasks = Array.from({ length: o.concurrency }, () => ctx.startTask('firm-worker'));
      const first = await Promise.race(firmTasks.map((t) => t.exited.then((code) => ({ t, code }))));
      if (first.code !== 137 && first.code !== null)
        throw new Error(`${first.t.name} exited ${first.code} before reaching its claim`);
      crashed.push(first.t);
      ctx.log(
        `${first.t.name}: killed itself after claiming the theme message (CALLTHEMES_CRASH_AT=after-claim)`,
      );
      await Promise.all(firmTasks.filter((t) => t !== first.t).map((t) => t.stop()));

      // 2. Its partition fails its remaining receives (as the same crash would each time) → the DLQ.
      const queueUrl = stack.outputs.PartitionsQueueUrl;
      const dlqUrl = stack.outputs.PartitionsDlqUrl;
      const dlqDepth = async () =>
        Number(
          (
            await sqs.send(
              new GetQueueAttributesCommand({
                QueueUrl: dlqUrl,
                AttributeNames: ['ApproximateNumberOfMessages'],
              }),
            )
          ).Attributes?.ApproximateNumberOfMessages ?? 0,
        );
      const until = Date.now() + 5 * 60_000;
      while ((await dlqDepth()) === 0) {
        if (Date.now() > until) throw new Error('the partition was not dead-lettered within 5 minutes');
        await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
        );
      }
      const before = await ctx.producer(['status', '--backend', 'aws']);
      const stuck = before.stdout
        .split('\n')
        .filter((l) => /dead letter|partitions \d/.test(l))
        .map((l) => l.trim());
      ctx.log(`dead-lettered; producer status: ${stuck.join(' | ')}`);

      // 3. The cause removed; the runbook's redrive; plain tasks.
      delete ctx.extraEnv.CALLTHEMES_CRASH_AT;
      const r = await ctx.producer(['redrive', '--backend', 'aws', '--queue', 'partitions']);
      if (r.code !== 0)
        throw new Error(`producer redrive exited ${r.code}: ${r.stderr.trim().split('\n').pop()}`);
      ctx.log(`producer redrive: ${r.stdout.trim()}`);
      await proxy.idle();
      const moved = proxy.tasks.reduce((n, t) => n + t.moved, 0);

      const themed: string[] = [];
      const next: string[] = [];
      const partitions = new Map<string, number>();
      ctx.onEvent((t, ev) => {
        if (ev.event === 'partition') {
          const key = `${ev.quarter} partition ${ev.partition}`;
          partitions.set(key, (partitions.get(key) ?? 0) + 1);
          ctx.log(`${t.name}: ${key} done (${ev.done}/${ev.expected}), receive count ${ev.receiveCount}`);
        } else if (ev.event === 'theme') {
          if (ev.redelivered === false) themed.push(String(ev.quarter));
          if (ev.next) next.push(String(ev.next));
          ctx.log(`${t.name}: ${ev.quarter} themed: ${ev.themes} themes; next ${JSON.stringify(ev.next)}`);
        }
      });
      for (let k = 0; k < o.concurrency; k++) ctx.startTask('firm-worker');
      ctx.startTask('theme-worker');
      await ctx.waitUntilThemed(20 * 60_000);

      const quarters = [...new Set([...partitions.keys()].map((k) => k.split(' ')[0]))];
      const twice = [...partitions.entries()].filter(([, n]) => n > 1).map(([k]) => k);
      ctx.report.push(
        `redrive: ${moved} message(s) moved by StartMessageMoveTask (new ids); themed ${themed.join(', ')}; next quarter enqueued ${next.length} time(s) (${next.join(', ')})`,
      );
      const problems = [
        moved !== 1 && `${moved} messages moved, expected 1`,
        new Set(themed).size !== themed.length && `a quarter themed twice: ${themed.join(', ')}`,
        themed.length < quarters.length && `themed ${themed.join(', ')} of ${quarters.join(', ')}`,
        next.length !== quarters.length - 1 && `next quarter enqueued ${next.length} times`,
        twice.length > 0 && `handled twice after the redrive: ${twice.join(', ')}`,
      ].filter(Boolean);
      if (problems.length > 0) throw new Error(`redrive: ${problems.join('; ')}`);
    } finally {
      sqs.destroy();
      await proxy.close();
    }
  },
};
