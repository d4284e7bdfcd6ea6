/**
 * The firm worker's handler in this process on the SQLite queues and counters, every branch: a message that can
 * never succeed goes to the dead-letter queue; a partition is written and completed; the quarter's last partition
 * sends the theme message once, also when its first send failed (the redelivery finds the manifest, reuses it and
 * sends); a partition another run wrote with the same firms and settings is reused; the endpoint scaling from zero
 * or a SIGTERM releases the partition without completing it. Crashes of whole processes: producer/test/fleet.
 */
import assert from 'node:assert/strict';
import { partitionRecordKey } from '@callthemes/common/fleet';
import { EndpointScalingError } from '@callthemes/common/inference/errors';
import { readManifest } from '@callthemes/common/lake';
import { encodeMessage, parseThemeMessage } from '@callthemes/common/messages';
import type { SqliteWorkQueue } from '@callthemes/common/queue';
import type { SentimentClassifier } from '@callthemes/common/sentiment';
import {
  type LocalFleet,
  receiveAll,
  sampleSettings,
  startPlan,
  useLocalFleet,
} from '@callthemes/common/testing/local-fleet';
import { beforeAll, test } from 'vitest';
import { FIRM_STAGE } from '../src/firm-stage.js';
import { SENTIMENT_STAGE } from '../src/partition-stage.js';
import { createWorker, type FirmWorker } from '../src/partition-worker.js';

const localFleet = useLocalFleet('callthemes-partition-worker-');
let f: LocalFleet;
let worker: FirmWorker;
const live = new AbortController().signal;

beforeAll(() => {
  f = localFleet();
  worker = createWorker({ ...f, workerId: 'test-worker' });
});

const logs = () => f.events.filter((e) => e.event === 'log').map((e) => String(e.msg));

test('a message that can never succeed is dead-lettered with its reason and acknowledged', async () => {
  const plan = await startPlan(f, 'dead', ['2021Q1'], sampleSettings({ firms: 1, partitionSize: 1 }));
  const [good] = await receiveAll(f.fleet.partitions);
  const body = JSON.parse(good.body);
  await f.fleet.partitions.send('not json');
  await f.fleet.partitions.send(encodeMessage({ ...body, settingsHash: 'other' }));
  await f.fleet.partitions.send(encodeMessage({ ...body, runId: 'no-such-run' }));
  await f.fleet.partitions.send(encodeMessage({ ...body, quarter: '2021Q3' }));
  for (const m of await receiveAll(f.fleet.partitions)) assert.equal(await worker.handle(m, live), 'done');
  const dead = (f.fleet.partitions as SqliteWorkQueue).deadLetters().map((d) => d.reason);
  assert.equal(dead.length, 4);
  assert.match(dead[0] ?? '', /^partition message is not JSON/);
  assert.equal(dead[1], `settings hash other is not run dead's (${plan.settingsHash})`);
  assert.equal(dead[2], 'run no-such-run has no plan in the counters');
  assert.equal(dead[3], "2021Q3 is not in run dead's plan");
  assert.deepEqual((await f.fleet.counters.quarterState('dead', '2021Q1')).done, []);
});

test("a quarter's partitions complete once each; the last sends the theme message once, also after a failed send", async () => {
  const plan = await startPlan(
    f,
    'two',
    ['2021Q1', '2021Q2'],
    sampleSettings({ firms: 4, partitionSize: 2 }),
  );
  const [p0, p1] = await receiveAll(f.fleet.partitions);
  assert.deepEqual([JSON.parse(p0.body).partition, JSON.parse(p1.body).partition], [0, 1]);

  assert.equal(await worker.handle(p0, live), 'done');
  const m0 = await readManifest(f.store, '2021Q1', FIRM_STAGE, 0);
  assert.deepEqual([m0?.firmsOk, m0?.items.length], [2, 2]);
  assert.ok(await readManifest(f.store, '2021Q1', SENTIMENT_STAGE, 0));
  let state = await f.fleet.counters.quarterState('two', '2021Q1');
  assert.deepEqual([state.done, state.firmsOk], [[0], 2]);
  assert.equal((await f.fleet.themes.depth()).visible, 0);

  // The last partition's theme send fails once (a lost connection): the handler throws, the message stays.
  const themes = f.fleet.themes;
  const send = themes.send.bind(themes);
  themes.send = async () => {
    themes.send = send;
    throw new Error('connection reset');
  };
  await assert.rejects(worker.handle(p1, live), /connection reset/);
  state = await f.fleet.counters.quarterState('two', '2021Q1');
  assert.deepEqual(state.done, [0, 1]);
  assert.deepEqual(state.flags.themeEnqueued, { claimed: true, sent: false });
  assert.equal((await themes.depth()).visible, 0);

  // Its redelivery finds the partition in the lake, completes it again (no change) and sends; a third sends nothing.
  const before = logs().length;
  assert.equal(await worker.handle(p1, live), 'done');
  assert.deepEqual(logs().slice(before), ['2021Q1 partition 1: already in the lake, completing it']);
  assert.equal(await worker.handle(p1, live), 'done');
  state = await f.fleet.counters.quarterState('two', '2021Q1');
  assert.deepEqual(
    [state.done, state.firmsOk, state.flags.themeEnqueued],
    [[0, 1], 4, { claimed: true, sent: true }],
  );
  const sent = await receiveAll(themes);
  assert.equal(sent.length, 1);
  assert.deepEqual(parseThemeMessage(sent[0].body), {
    v: 1,
    type: 'theme',
    runId: 'two',
    quarter: '2021Q1',
    settingsHash: plan.settingsHash,
  });
  const completions = f.events.filter((e) => e.event === 'partition' && e.runId === 'two');
  assert.deepEqual(
    completions.map((e) => [e.partition, e.newlyCompleted, e.themeSent]),
    [
      [0, true, false],
      [1, false, true],
      [1, false, false],
    ],
  );
});

test('a partition another run wrote with the same firms and settings is reused: completed, recorded, not redone', async () => {
  await startPlan(f, 'same', ['2021Q1'], sampleSettings({ firms: 4, partitionSize: 2 }));
  const [p0] = await receiveAll(f.fleet.partitions);
  await receiveAll(f.fleet.partitions);
  assert.equal(await worker.handle(p0, live), 'done');
  assert.ok(logs().includes('2021Q1 partition 0: already in the lake, completing it'));
  const record = JSON.parse((await f.store.getText(partitionRecordKey('same', '2021Q1', 0))) ?? 'null');
  assert.deepEqual([record.reused, record.firmsOk, record.worker], [true, 2, 'test-worker']);
  assert.deepEqual((await f.fleet.counters.quarterState('same', '2021Q1')).done, [0]);
  // The manifest is still the first run's.
  assert.equal((await readManifest(f.store, '2021Q1', FIRM_STAGE, 0))?.runId, 'two');
});

test('the endpoint scaling from zero, or a SIGTERM, releases the partition uncompleted; a later delivery does it', async () => {
  // Another seed: other output, so nothing in the lake is reused.
  await startPlan(f, 'cold', ['2021Q1'], sampleSettings({ firms: 2, partitionSize: 2, seed: 7 }));
  const [m] = await receiveAll(f.fleet.partitions);
  // Stands in for the SageMaker endpoint (not runnable here) answering "backlog without capacity".
  const scaling: SentimentClassifier = {
    model: 'finbert',
    classify: async () => {
      throw new EndpointScalingError('backlog without capacity', 180_000);
    },
  };
  const cold = createWorker({
    ...f,
    runtime: { ...f.runtime, classifier: async () => scaling },
    workerId: 'cold-worker',
  });
  assert.equal(await cold.handle(m, live), 'release');
  assert.equal(await worker.handle(m, AbortSignal.abort()), 'release');
  const state = await f.fleet.counters.quarterState('cold', '2021Q1');
  assert.deepEqual([state.done, state.flags.themeEnqueued.claimed], [[], false]);
  assert.equal(await f.store.getText(partitionRecordKey('cold', '2021Q1', 0)), null);
  assert.equal(await worker.handle(m, live), 'done');
  assert.deepEqual((await f.fleet.counters.quarterState('cold', '2021Q1')).done, [0]);
});
