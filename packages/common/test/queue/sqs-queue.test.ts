/** The WorkQueue contract on SqsWorkQueue against a real moto server (SQS's HTTP API on 127.0.0.1). */
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expect, it } from 'vitest';
import { createQueueWithDeadLetter } from '../../src/queue/sqs-create-queue.js';
import { SqsWorkQueue } from '../../src/queue/sqs-queue.js';
import { type MotoServer, motoMissing, startMotoServer } from '../helpers/moto-server.js';
import { skipIf } from '../helpers/paths.js';
import { type SqsMoveTaskProxy, startSqsMoveTaskProxy } from '../helpers/sqs-move-task-proxy.js';
import { describeWorkQueueContract } from './work-queue-contract.js';

const missing = motoMissing();
skipIf(missing ?? undefined);

let moto: MotoServer | undefined;
let client: SQSClient | undefined;
let proxy: SqsMoveTaskProxy | undefined;
const dlqUrls = new Map<SqsWorkQueue, string>();

async function stop() {
  client?.destroy();
  client = undefined;
  await proxy?.close();
  proxy = undefined;
  await moto?.stop();
  moto = undefined;
}

async function start() {
  moto ??= await startMotoServer();
  // Through the StartMessageMoveTask stand-in: redrive runs as the adapter runs it on AWS.
  proxy ??= await startSqsMoveTaskProxy(moto.clientConfig);
  client ??= new SQSClient(proxy.clientConfig);
  return { moto, client };
}

/**
 * A queue with its dead-letter queue on the started server. Without `knownDeadLetterUrl` the adapter finds the DLQ
 * through the RedrivePolicy; with it, the adapter is told the DLQ's URL.
 */
async function sqsQueue(
  name: string,
  settings: { maxReceiveCount: number; visibilitySeconds: number },
  knownDeadLetterUrl = false,
) {
  const { client: sqs } = await start();
  const created = await createQueueWithDeadLetter(sqs, name, settings);
  const q = new SqsWorkQueue({
    client: sqs,
    queueUrl: created.queueUrl,
    name,
    ...(knownDeadLetterUrl ? { deadLetterQueueUrl: created.deadLetterQueueUrl } : {}),
  });
  return { sqs, created, q };
}

/** A test on the moto server, skipped with the reason when moto is missing. */
const onMoto = (title: string, body: () => Promise<void>) => it(title, skipIf(missing ?? undefined), body);

describeWorkQueueContract(
  'SqsWorkQueue on moto',
  async () => {
    const { client: sqs } = await start();
    return {
      supportsRedrive: true,
      async makeQueue({ name, maxReceiveCount, visibilitySeconds }) {
        // No deadLetterQueueUrl: the adapter finds the DLQ through the RedrivePolicy.
        const { created, q } = await sqsQueue(name, { maxReceiveCount, visibilitySeconds });
        dlqUrls.set(q, created.deadLetterQueueUrl);
        return q;
      },
      async deadLetterBodies(queue) {
        const url = dlqUrls.get(queue as SqsWorkQueue);
        if (!url) throw new Error(`no dead-letter queue recorded for ${queue.name}`);
        // Visibility 0: a peek that leaves them there.
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
        );
        return (out.Messages ?? []).map((m) => m.Body ?? '');
      },
      teardown: stop,
    };
  },
  { skip: missing },
);

onMoto('deadLetter records the reason and the source message id as message attributes', async () => {
  const { sqs, created, q } = await sqsQueue('reasons', { maxReceiveCount: 3, visibilitySeconds: 30 }, true);
  const id = await q.send('{"bad":true}');
  const [m] = await q.receive();
  await q.deadLetter(m!, 'schema: quarter missing');
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: created.deadLetterQueueUrl, MessageAttributeNames: ['All'] }),
  );
  expect(out.Messages?.length).toBe(1);
  expect(out.Messages![0]!.Body).toBe('{"bad":true}');
  expect(out.Messages![0]!.MessageAttributes?.reason?.StringValue).toBe('schema: quarter missing');
  expect(out.Messages![0]!.MessageAttributes?.sourceMessageId?.StringValue).toBe(id);
  await stop();
});

onMoto('a message that the in-flight long poll returns after stop() is handed back unhandled', async () => {
  const { q } = await sqsQueue('late', { maxReceiveCount: 5, visibilitySeconds: 30 });
  let handled = 0;
  const c = q.consumer({
    visibilitySeconds: 30,
    heartbeatSeconds: 10,
    waitSeconds: 3,
    handle: async () => {
      handled++;
      return 'done';
    },
  });
  c.start();
  await new Promise((r) => setTimeout(r, 500)); // the first long poll is in flight
  const stopped = c.stop();
  const id = await q.send('late');
  await stopped;
  expect(handled).toBe(0);
  const again = await q.receive();
  expect(again.map((m) => [m.id, m.receiveCount])).toEqual([[id, 2]]);
  await stop();
});

onMoto('redrive dryRun counts the dead letters of the DLQ found through the RedrivePolicy', async () => {
  const { q } = await sqsQueue('dry', { maxReceiveCount: 5, visibilitySeconds: 30 });
  for (const b of ['1', '2', '3']) await q.send(b);
  for (const m of await q.receive({ max: 10 })) await q.deadLetter(m, 'test');
  expect(await q.redrive({ dryRun: true })).toEqual({ moved: 3 });
  expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 3 });
  await stop();
});
