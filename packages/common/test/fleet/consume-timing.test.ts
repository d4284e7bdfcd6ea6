/**
 * Workers hold a message for the queue's configured visibility (issue 26, item 3): on SQS the template sizes it
 * (1,800 s for a partition), and the heartbeat runs well inside it; the settings override both.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, expect, it } from 'vitest';
import { consumeTiming, heartbeatFor } from '../../src/fleet/open-fleet.js';
import { SqliteWorkQueue } from '../../src/queue/sqlite-queue.js';
import { createQueueWithDeadLetter } from '../../src/queue/sqs-create-queue.js';
import { SqsWorkQueue } from '../../src/queue/sqs-queue.js';
import { type MotoServer, motoMissing, startMotoServer } from '../helpers/moto-server.js';
import { skipIf, tempDir } from '../helpers/paths.js';

const dir = tempDir('callthemes-timing-');
let moto: MotoServer | undefined;
afterAll(async () => {
  await moto?.stop();
  dir.cleanup();
});

it('the heartbeat is a sixth of the visibility, at most 5 minutes', () => {
  expect([heartbeatFor(30), heartbeatFor(1800), heartbeatFor(43_200), heartbeatFor(0.6)]).toEqual([
    5, 300, 300, 0.2,
  ]);
});

it(
  "an SQS queue of 1,800 s visibility is consumed with 1,800 s and a 300 s heartbeat, not today's 30 s / 10 s",
  skipIf(motoMissing() ?? undefined),
  async () => {
    moto = await startMotoServer();
    const sqs = new SQSClient(moto.clientConfig);
    try {
      const q = await createQueueWithDeadLetter(sqs, 'partitions', {
        maxReceiveCount: 3,
        visibilitySeconds: 1800,
      });
      const queue = new SqsWorkQueue({ client: sqs, queueUrl: q.queueUrl, name: 'partitions' });
      expect(await consumeTiming(queue, {})).toEqual({ visibilitySeconds: 1800, heartbeatSeconds: 300 });
      // CALLTHEMES_VISIBILITY_SECONDS / CALLTHEMES_HEARTBEAT_SECONDS still win (the tests' short timings).
      expect(await consumeTiming(queue, { visibilitySeconds: 2, heartbeatSeconds: 0.5 })).toEqual({
        visibilitySeconds: 2,
        heartbeatSeconds: 0.5,
      });
      await expect(consumeTiming(queue, { heartbeatSeconds: 1800 })).rejects.toThrow(/does not fit/);
    } finally {
      sqs.destroy();
    }
  },
);

it('a local queue is consumed with its own visibility (30 s unless set)', async () => {
  const queue = new SqliteWorkQueue({ path: `${dir.path}/q.sqlite`, name: 'partitions' });
  try {
    expect(await consumeTiming(queue, {})).toEqual({ visibilitySeconds: 30, heartbeatSeconds: 5 });
  } finally {
    await queue.close();
  }
});
