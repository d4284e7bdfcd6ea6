/**
 * The theme worker's handler in this process on the SQLite queues and counters (the firm worker's handler fills
 * the lake first): a malformed message is dead-lettered; a theme message before the quarter's partitions are
 * done fails (it is retried); a quarter is themed and the next quarter enqueued once, and a next-quarter enqueue
 * that failed half-way is finished by the redelivery, which sends only the partitions still missing and does not
 * theme again; the plan's last quarter chains nothing. Crashes of whole processes: producer/test/fleet.
 */
import assert from 'node:assert/strict';
import { encodeMessage, parsePartitionMessage } from '@callthemes/common/messages';
import type { SqliteWorkQueue } from '@callthemes/common/queue';
import {
  type LocalFleet,
  receiveAll,
  sampleSettings,
  startPlan,
  useLocalFleet,
} from '@callthemes/common/testing/local-fleet';
import { createWorker as createFirmWorker } from '@callthemes/firm-worker';
import { beforeAll, test } from 'vitest';
import { createWorker } from '../src/quarter-worker.js';
import { themeTableKey } from '../src/theme-stage.js';

const localFleet = useLocalFleet('callthemes-quarter-worker-');
let f: LocalFleet;
let worker: ReturnType<typeof createWorker>;
const live = new AbortController().signal;
const SETTINGS = sampleSettings({ firms: 6, partitionSize: 3 });

beforeAll(() => {
  f = localFleet();
  worker = createWorker({ ...f, workerId: 'theme-test' });
});

/** Runs the firm worker's handler on every partition message queued now. */
async function firmWorkersRun(): Promise<void> {
  const firm = createFirmWorker({ ...f, workerId: 'firm-test' });
  for (const m of await receiveAll(f.fleet.partitions)) assert.equal(await firm.handle(m, live), 'done');
}

const themeEvents = (runId: string) => f.events.filter((e) => e.event === 'theme' && e.runId === runId);

test('a malformed message is dead-lettered; a theme message before the partitions are done fails and stays', async () => {
  const plan = await startPlan(f, 'early', ['2021Q1'], SETTINGS);
  await receiveAll(f.fleet.partitions);
  await f.fleet.themes.send('{"v":1,"type":"theme"}');
  await f.fleet.themes.send(
    encodeMessage({
      v: 1,
      type: 'theme',
      runId: 'early',
      quarter: '2021Q1',
      settingsHash: plan.settingsHash,
    }),
  );
  const [bad, early] = await receiveAll(f.fleet.themes);
  assert.equal(await worker.handle(bad, live), 'done');
  assert.match(
    (f.fleet.themes as SqliteWorkQueue).deadLetters()[0]?.reason ?? '',
    /^theme message is invalid/,
  );
  await assert.rejects(
    worker.handle(early, live),
    /2021Q1: theme message before the quarter's partitions are done \(0\/2\)/,
  );
  assert.equal((await f.fleet.counters.quarterState('early', '2021Q1')).themed, false);
});

test('a quarter is themed and the next enqueued once; a half-done enqueue is finished by the redelivery', async () => {
  await startPlan(f, 'chain', ['2021Q1', '2021Q2'], SETTINGS);
  await firmWorkersRun();
  const [message] = await receiveAll(f.fleet.themes);
  // The next quarter's second partition message fails to send (a lost connection): the handler throws.
  const partitions = f.fleet.partitions;
  const send = partitions.send.bind(partitions);
  let sends = 0;
  partitions.send = async (body) => {
    if (++sends === 2) throw new Error('connection reset');
    return send(body);
  };
  try {
    await assert.rejects(worker.handle(message, live), /connection reset/);
  } finally {
    partitions.send = send;
  }
  const themes = await f.store.getText(themeTableKey('themes', '2021Q1'));
  assert.ok(themes !== null, 'the themes table of 2021Q1 is written');
  let q1 = await f.fleet.counters.quarterState('chain', '2021Q1');
  assert.equal(q1.themed, true);
  assert.deepEqual(q1.flags.nextEnqueued, { claimed: true, sent: false });
  assert.deepEqual((await f.fleet.counters.quarterState('chain', '2021Q2')).sent, [0]);

  // The redelivery does not theme again; it sends partition 1 only. A third delivery sends nothing.
  assert.equal(await worker.handle(message, live), 'done');
  assert.equal(await worker.handle(message, live), 'done');
  q1 = await f.fleet.counters.quarterState('chain', '2021Q1');
  assert.deepEqual(q1.flags.nextEnqueued, { claimed: true, sent: true });
  const q2 = await f.fleet.counters.quarterState('chain', '2021Q2');
  assert.deepEqual([q2.expected, q2.sent], [2, [0, 1]]);
  const next = (await receiveAll(partitions)).map((m) => parsePartitionMessage(m.body));
  assert.deepEqual(
    next.map((m) => [m.runId, m.quarter, m.partition]),
    [
      ['chain', '2021Q2', 0],
      ['chain', '2021Q2', 1],
    ],
  );
  const events = themeEvents('chain');
  assert.deepEqual(
    events.map((e) => [e.redelivered, e.next]),
    [
      [true, '2021Q2'],
      [true, null],
    ],
  );
});

test("the plan's last quarter is themed and chains nothing", async () => {
  // The same settings: the firm worker reuses the partitions the chained run wrote.
  await startPlan(f, 'solo', ['2021Q1'], SETTINGS);
  await firmWorkersRun();
  const [message] = await receiveAll(f.fleet.themes);
  assert.equal(await worker.handle(message, live), 'done');
  const [e] = themeEvents('solo');
  assert.equal(e.redelivered, false);
  assert.ok(Number(e.themes) >= 0 && Number(e.topics) > 0 && e.firms === 6, JSON.stringify(e));
  assert.equal(e.next, null);
  assert.deepEqual((await f.fleet.counters.quarterState('solo', '2021Q1')).flags.nextEnqueued, {
    claimed: false,
    sent: false,
  });
  assert.equal((await f.fleet.partitions.depth()).visible, 0);
});
