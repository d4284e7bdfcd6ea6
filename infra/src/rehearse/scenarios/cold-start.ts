/**
 * The cold-start scenario (issue 26, item 1): the endpoint is at 0 instances when the quarter starts and stays there
 * longer than both the former release window (180 s, scaled) and the partitions queue's visibility timeout, then
 * scales out. The firm tasks must keep the partitions they received (DescribeEndpoint says 0: keep waiting, the
 * heartbeat extends the visibility): every partition finishes on its first receive, nothing is released or
 * dead-lettered, each firm's embeddings are one invocation name (the same whichever delivery asks), and the lake
 * equals the local run's (checked after every scenario).
 */
import type { Scenario } from '../scenario.js';
import { enqueueInput, invokedKinds } from './shared.js';

export const coldStartScenario: Scenario = {
  name: 'cold-start',
  description: 'the endpoint at 0 instances for 1.5 × the partitions visibility, then scaled out',
  async run(ctx) {
    const o = ctx.options;
    const visibility = Object.entries(ctx.stack.visibility).find(([id]) =>
      /^Queues?Partitions.*Queue/i.test(id),
    );
    const holdSeconds = Math.max(1.5 * (visibility?.[1] ?? 20), 180 / o.timeScale + 5);
    ctx.standin.setCapacity(0);
    ctx.log(`endpoint scaled to zero: DescribeEndpoint reports 0 instances, invocations stay queued`);
    await enqueueInput(ctx);

    const receives: number[] = [];
    const released: string[] = [];
    let firms = 0;
    ctx.onEvent((t, ev) => {
      if (ev.event === 'partition') {
        receives.push(Number(ev.receiveCount));
        if (ev.newlyCompleted) firms += Number(ev.firmsOk ?? 0);
        ctx.log(
          `${t.name}: ${ev.quarter} partition ${ev.partition} done (${ev.done}/${ev.expected}), receive count ${ev.receiveCount}`,
        );
      } else if (ev.event === 'log' && /released/.test(String(ev.msg))) {
        released.push(`${t.name}: ${ev.msg}`);
        ctx.log(`${t.name}: ${ev.msg}`);
      } else if (ev.event === 'theme') {
        ctx.log(`${t.name}: ${ev.quarter} themed: ${ev.themes} themes; next ${JSON.stringify(ev.next)}`);
      }
    });
    for (let k = 0; k < o.concurrency; k++) ctx.startTask('firm-worker');
    ctx.startTask('theme-worker');

    const before = Date.now();
    while (ctx.standin.accepted.length === 0) {
      if (Date.now() - before > 120_000) throw new Error('no invocation reached the endpoint in 120 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    ctx.log(
      `first invocation queued; the endpoint stays at 0 instances for ${holdSeconds.toFixed(0)} s (partitions visibility ${visibility?.[1] ?? '?'} s)`,
    );
    await new Promise((r) => setTimeout(r, holdSeconds * 1000));
    const queued = ctx.standin.accepted.length;
    ctx.standin.setCapacity(1);
    ctx.log(`endpoint scaled out to 1 instance (${queued} invocations were queued)`);
    await ctx.waitUntilThemed(20 * 60_000);

    const status = await ctx.producer(['status', '--backend', 'aws']);
    const dead = [...status.stdout.matchAll(/(\d+) dead letters?/g)].map((m) => Number(m[1]));
    const { kinds, names, repeated } = await invokedKinds(ctx);
    const embeds = kinds.filter((k) => k === 'embed').length;
    const embedNames = names.get('embed')?.size ?? 0;
    // The local reference run asks the same names through the same stand-in at the same moments (the same firms in
    // the same order): the two runs can both invoke a name before either's marker is written. That race is between
    // two runs, not between deliveries of the fleet's messages; what the fleet must show is one name per firm.
    ctx.report.push(
      `cold start: ${holdSeconds.toFixed(0)} s at 0 instances; ${receives.length} partitions, receive counts ${[...new Set(receives)].join('/')}; ${released.length} released; dead letters ${dead.join('/') || '?'}`,
      `cold start: ${embedNames} embedding invocation names for ${firms} firms (${embeds} accepted; fleet and local run share the names, ${repeated} sent by both)`,
    );
    const problems = [
      receives.some((n) => n !== 1) &&
        `a partition was received again (receive counts ${receives.join(', ')})`,
      released.length > 0 && `${released.length} partition(s) released: ${released[0]}`,
      (dead.length === 0 || dead.some((n) => n !== 0)) && `dead letters: ${dead.join('/') || 'unknown'}`,
      embedNames !== firms && `${embedNames} embedding invocation names for ${firms} firms`,
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(`cold start: ${problems.join('; ')}`);
  },
};
