/**
 * A redrive must not stall a quarter (issue 26, item 2). The firm worker that completes a quarter claims
 * `themeEnqueued` and is killed before sending the theme message; its partition message then fails until it is
 * dead-lettered (3 receives). The cause removed, `producer redrive` moves it back — with a NEW message id, as SQS
 * does (locally the SQLite queue; on moto the StartMessageMoveTask stand-in) — and plain workers finish the plan:
 * the redriven delivery is the same claim owner (derived from the body), so it sends the theme message; each
 * quarter is themed exactly once and the next quarter enqueued once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fleetSettingsFrom, openFleet } from '@callthemes/common/fleet';
import { useAwsFleetEmulator } from '@callthemes/common/testing/aws-fleet-emulator';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { EXAMPLES_ECTSUM } from '@callthemes/common/testing/paths';
import { test } from 'vitest';
import { drain, FAST, readStatus, startWorker } from './fleet-helpers.js';

const { dir, needsMoto, start } = useAwsFleetEmulator('callthemes-redrive-', {
  visibilitySeconds: 2,
  env: FAST,
});

/** 6 firms a quarter in partitions of 3: the second partition handled completes the quarter. */
const PLAN = ['--firms', '6', '--partition-size', '3', '--flush-every', '3'];

/** Receives (visibility 0, no delete) until the queue has dead-lettered its one message in flight. */
async function failUntilDeadLettered(lake: string, env: Record<string, string>, onAws: boolean) {
  const saved = { ...process.env };
  if (onAws) Object.assign(process.env, env);
  const fleet = await openFleet(
    onAws ? fleetSettingsFrom({ lake }) : fleetSettingsFrom({ backend: 'local', lake }),
  );
  try {
    for (let i = 0; i < 40; i++) {
      if ((await fleet.partitions.depth()).deadLetters === 1) return;
      await fleet.partitions.receive({ visibilitySeconds: 0, waitSeconds: 1 });
    }
    throw new Error('the partition was not dead-lettered');
  } finally {
    await fleet.close();
    process.env = saved;
  }
}

async function deadLetterAfterClaim(
  lake: string,
  env: Record<string, string>,
  backend: string[],
  input = EXAMPLES_ECTSUM,
) {
  const e = await runCli([...ectsumArgs('enqueue', '2021Q1..2021Q2', lake, PLAN, input), ...backend], env);
  assert.equal(e.code, 0, e.stderr);
  // A firm worker killed after its claim; then the same partition fails twice more (received and never deleted,
  // as two more crashed workers would), so the queue moves it to its dead-letter queue on the next receive.
  const w = startWorker('firm-worker', { ...env, CALLTHEMES_CRASH_AT: 'after-claim' });
  assert.equal(await w.exit, 137, 'killed after the claim');
  await failUntilDeadLettered(lake, env, backend.length > 0);
  const aws = backend.length > 0 ? env : undefined;
  let s = await readStatus(lake, undefined, aws);
  const q1 = s.quarters[0];
  assert.equal(s.queues.partitions.deadLetters, 1);
  assert.deepEqual([q1.done.length, q1.expected], [2, 2], 'both partitions completed in the counters');
  assert.deepEqual(
    [q1.flags.themeEnqueued.claimed, q1.flags.themeEnqueued.sent],
    [true, false],
    'the theme message claimed, never sent',
  );

  const r = await runCli(['redrive', '--queue', 'partitions', '--lake', lake, ...backend], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /partitions: 1 dead letter\(s\) moved back/);

  const events = await drain(lake, env);
  s = await readStatus(lake, undefined, aws);
  assert.equal(s.done, true);
  const themed = events.filter((x) => x.event === 'theme' && x.redelivered === false);
  assert.deepEqual(themed.map((x) => x.quarter).sort(), ['2021Q1', '2021Q2'], 'each quarter themed once');
  assert.equal(
    events.filter((x) => x.event === 'theme' && x.next === '2021Q2').length,
    1,
    'Q2 enqueued once',
  );
  assert.deepEqual(
    s.quarters.map((q) => [q.quarter, q.expected, q.sent.length, q.done.length, q.firmsOk]),
    [
      ['2021Q1', 2, 2, 2, 6],
      ['2021Q2', 2, 2, 2, 6],
    ],
  );
  const q2Partitions = events.filter((x) => x.event === 'partition' && x.quarter === '2021Q2');
  assert.equal(q2Partitions.length, 2, 'each partition of the next quarter delivered once');
  assert.deepEqual(
    [s.queues.partitions.deadLetters, s.queues.themes.deadLetters, s.queues.partitions.visible],
    [0, 0, 0],
  );
}

test('local: a partition dead-lettered after its claim, redriven with a new id, finishes the quarter', async () => {
  const lake = join(dir.path, 'local');
  await deadLetterAfterClaim(lake, { ...FAST, CALLTHEMES_LAKE: lake }, []);
});

test(
  'SQS + DynamoDB: the same through `producer redrive --backend aws` (StartMessageMoveTask stand-in)',
  needsMoto,
  async () => {
    const { aws, lake, env } = await start('aws');
    const input = await aws.inputOnS3(EXAMPLES_ECTSUM);
    await deadLetterAfterClaim(lake, env, ['--backend', 'aws'], input);
    assert.deepEqual(
      aws.moves.tasks.map((t) => [t.status, t.moved]),
      [['COMPLETED', 1]],
    );
  },
);
