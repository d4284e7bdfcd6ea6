/**
 * The crash windows of DESIGN, each hit for real: a worker (or the producer) kills itself with SIGKILL at a named
 * point (CALLTHEMES_CRASH_AT), then plain workers started by hand finish the plan. Every time the lake equals a
 * clean run's (same firms, sentence and topic ids, row counts), both quarters are themed, the second was enqueued
 * by the theme worker, and no quarter is stuck. Also: every message delivered twice gives the same lake.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fleetSettingsFrom, openFleet } from '@callthemes/common/fleet';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, test } from 'vitest';
import { type LakeSnapshot, snapshot } from '../run/helpers.js';
import { drain, FAST, readStatus, startWorker } from './fleet-helpers.js';

const dir = tempDir('callthemes-crash-');
afterAll(() => dir.cleanup());

/** 12 firms a quarter in partitions of 3: 4 partitions per quarter, parts of 2 firms. */
const PLAN = ['--firms', '12', '--partition-size', '3', '--flush-every', '2'];
const planArgs = (lake: string) => ectsumArgs('enqueue', '2021Q1..2021Q2', lake, PLAN);

let reference: LakeSnapshot;
beforeAll(async () => {
  const lake = join(dir.path, 'reference');
  const r = await runCli(ectsumArgs('run', '2021Q1..2021Q2', lake, PLAN));
  assert.equal(r.code, 0, r.stderr);
  reference = await snapshot(lake);
  assert.equal(reference.counts.firms, 24);
});

async function assertLikeReference(lake: string): Promise<void> {
  const got = await snapshot(lake);
  assert.deepEqual(got.duplicates, []);
  assert.deepEqual(got.firmIds, reference.firmIds);
  assert.deepEqual(got.sentenceIds, reference.sentenceIds);
  assert.deepEqual(got.topicIds, reference.topicIds);
  assert.deepEqual(got.counts, reference.counts);
  const s = await readStatus(lake);
  assert.equal(s.done, true);
  for (const q of s.quarters) {
    assert.deepEqual([q.expected, q.done.length, q.firmsOk], [4, 4, 12], q.quarter);
    assert.ok(q.flags.themeEnqueued.sent && q.themed, `${q.quarter} themed`);
  }
  assert.ok(s.quarters[0].flags.nextEnqueued.sent, 'the theme worker enqueued the next quarter');
  assert.deepEqual(
    [s.queues.partitions.deadLetters, s.queues.themes.deadLetters, s.queues.partitions.visible],
    [0, 0, 0],
  );
}

async function enqueue(lake: string, env: Record<string, string> = {}) {
  return runCli(planArgs(lake), { ...FAST, ...env });
}

/** One worker of `kind` with the crash point set, until it kills itself (or idles out without reaching it). */
async function crashOnce(kind: 'firm-worker' | 'theme-worker', lake: string, point: string) {
  if (kind === 'theme-worker') {
    // The theme worker's points come after the quarter's partitions: let plain firm workers finish them first.
    const f = startWorker('firm-worker', { CALLTHEMES_LAKE: lake });
    assert.equal(await f.exit, 0);
  }
  const w = startWorker(kind, { CALLTHEMES_LAKE: lake, CALLTHEMES_CRASH_AT: point });
  return w.exit;
}

for (const [kind, point] of [
  ['firm-worker', 'after-write'],
  ['firm-worker', 'before-delete'],
  ['firm-worker', 'after-claim'],
  ['firm-worker', 'after-send'],
  ['theme-worker', 'after-claim'],
  ['theme-worker', 'mid-enqueue'],
] as const) {
  test(`${kind} killed ${point}: plain workers finish the plan, the lake equals a clean run's`, async () => {
    const lake = join(dir.path, `${kind}-${point}`);
    const e = await enqueue(lake);
    assert.equal(e.code, 0, e.stderr);
    assert.equal(await crashOnce(kind, lake, point), 137, `the ${kind} was killed at ${point}`);
    await drain(lake);
    await assertLikeReference(lake);
  });
}

test('the producer killed mid-enqueue: the same command sends only the partitions it had not sent', async () => {
  const lake = join(dir.path, 'producer-mid-enqueue');
  const killed = await enqueue(lake, { CALLTHEMES_CRASH_AT: 'mid-enqueue:2' });
  assert.equal(killed.code, 137, killed.stderr);
  let s = await readStatus(lake);
  assert.deepEqual(
    [s.quarters[0].expected, s.quarters[0].sent.length, s.queues.partitions.visible],
    [4, 2, 2],
  );
  const again = await enqueue(lake);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /2 sent now \(2 earlier\)/);
  s = await readStatus(lake);
  assert.deepEqual([s.quarters[0].sent.length, s.queues.partitions.visible], [4, 4]);
  // Enqueueing the same plan a third time adds nothing.
  const third = await enqueue(lake);
  assert.match(third.stdout, /0 sent now \(4 earlier\)/);
  assert.equal((await readStatus(lake)).queues.partitions.visible, 4);
  await drain(lake);
  await assertLikeReference(lake);
});

test('every message delivered twice (duplicate sends): the same lake as a clean run', async () => {
  const lake = join(dir.path, 'twice');
  assert.equal((await enqueue(lake)).code, 0);
  // Send every partition message of the first quarter a second time, as SQS may deliver it twice.
  const fleet = await openFleet(fleetSettingsFrom({ backend: 'local', lake }));
  const bodies: string[] = [];
  for (;;) {
    const got = await fleet.partitions.receive({ max: 10, visibilitySeconds: 60 });
    if (got.length === 0) break;
    bodies.push(...got.map((m) => m.body));
  }
  assert.equal(bodies.length, 4);
  for (const b of [...bodies, ...bodies]) await fleet.partitions.send(b);
  await fleet.close();
  const events = await drain(lake);
  const partitions = events.filter((e) => e.event === 'partition' && e.quarter === '2021Q1');
  assert.equal(partitions.length, 8, 'each of the 4 partitions handled twice');
  assert.equal(partitions.filter((e) => e.newlyCompleted).length, 4, 'completed once each');
  assert.equal(
    events.filter((e) => e.event === 'theme' && e.redelivered === false).length,
    2,
    'themed once per quarter',
  );
  await assertLikeReference(lake);
});
