/**
 * What is deployed is what the fleet's tests exercise: the SQS queues (attributes, redrive policy) and the
 * DynamoDB counters table are created on a moto server *from the synthesized template's resource properties*,
 * then read back through GetQueueAttributes / DescribeTable, the redrive run for real, and the result compared
 * with what the fleet's own test helpers create (`createQueueWithDeadLetter`, `createCountersTable`).
 */
import assert from 'node:assert/strict';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createCountersTable } from '@callthemes/common/counters';
import { createQueueWithDeadLetter } from '@callthemes/common/queue';
import { type MotoServer, motoMissing, startMotoServer } from '@callthemes/common/testing/moto-server';
import { skipIf } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, test } from 'vitest';
import { createQueues, createTables } from '../src/rehearse/resources.js';
import type { Created } from '../src/rehearse/template.js';
import { type CfnJson, ofType, type Synthesized, synthesize } from './synth.js';

const skip = skipIf(motoMissing() ?? undefined);
let s: Synthesized;
let json: CfnJson;
let moto: MotoServer;
let sqs: SQSClient;
let ddb: DynamoDBClient;
/** Logical id → what its Ref / Fn::GetAtt give (QueueUrl, Arn), as the rehearsal records them. */
const created: Created = new Map();

// The shared hook timeout: the synth and moto's start took over 120 s on a loaded machine.
beforeAll(async () => {
  if (skip.skip) return;
  s = synthesize();
  json = s.json;
  moto = await startMotoServer();
  const config = moto.clientConfig;
  sqs = new SQSClient(config);
  ddb = new DynamoDBClient(config);
  // The rehearsal's own code (time not scaled): what is rehearsed is what is checked here.
  await createQueues(sqs, json, created);
  await createTables(ddb, json, created);
});

afterAll(async () => {
  await moto?.stop();
  s?.cleanup();
});

const idOf = (prefix: string) => [...created.keys()].find((id) => id.startsWith(prefix))!;
const urlOf = (id: string) => created.get(id)!.QueueUrl;

test('the queues read back with the template’s attributes and redrive policy', skip, async () => {
  const queues = ofType(json, 'AWS::SQS::Queue');
  assert.equal(queues.length, 4);
  for (const [id, { Properties: p }] of queues) {
    const url = urlOf(id);
    const { Attributes: a = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    assert.equal(a.MaximumMessageSize, '1048576', id);
    assert.equal(a.MessageRetentionPeriod, String(p.MessageRetentionPeriod), id);
    assert.equal(a.SqsManagedSseEnabled, 'true', id);
    if (p.RedrivePolicy) {
      assert.equal(a.VisibilityTimeout, String(p.VisibilityTimeout), id);
      assert.equal(a.ReceiveMessageWaitTimeSeconds, '20', id);
      const redrive = JSON.parse(a.RedrivePolicy!);
      assert.equal(Number(redrive.maxReceiveCount), 3);
      assert.equal(
        redrive.deadLetterTargetArn,
        created.get(p.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0])!.Arn,
      );
    }
  }
});

test('a partition message received 3 times without a delete moves to the partitions DLQ', skip, async () => {
  const queue = urlOf(idOf('QueuesPartitionsQueue'));
  const dlq = urlOf(idOf('QueuesPartitionsDlq'));
  await sqs.send(
    new SendMessageCommand({ QueueUrl: queue, MessageBody: '{"type":"partition","partition":7}' }),
  );
  // Three receives that each give the message back at once (a worker dying mid-partition).
  for (let k = 1; k <= 3; k++) {
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    assert.equal(r.Messages?.length, 1, `receive ${k}`);
    assert.equal(r.Messages![0].Attributes?.ApproximateReceiveCount, String(k));
  }
  const fourth = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 1 }));
  assert.equal(fourth.Messages?.length ?? 0, 0);
  const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, WaitTimeSeconds: 1 }));
  assert.equal(dead.Messages?.length, 1);
  assert.equal(dead.Messages![0].Body, '{"type":"partition","partition":7}');
});

test('the fleet’s own queue helper makes the same DLQ and size as the template', skip, async () => {
  const mine = await createQueueWithDeadLetter(sqs, 'fleet-helper-partitions', {
    maxReceiveCount: 3,
    visibilitySeconds: json.Resources[idOf('QueuesPartitionsQueue')].Properties.VisibilityTimeout,
  });
  const attrs = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ??
    {};
  const [helper, helperDlq, deployed, deployedDlq] = await Promise.all([
    attrs(mine.queueUrl),
    attrs(mine.deadLetterQueueUrl),
    attrs(urlOf(idOf('QueuesPartitionsQueue'))),
    attrs(urlOf(idOf('QueuesPartitionsDlq'))),
  ]);
  for (const k of ['MaximumMessageSize', 'VisibilityTimeout'] as const)
    assert.equal(helper[k], deployed[k], k);
  assert.equal(
    JSON.parse(helper.RedrivePolicy!).maxReceiveCount,
    JSON.parse(deployed.RedrivePolicy!).maxReceiveCount,
  );
  assert.equal(helperDlq.MessageRetentionPeriod, deployedDlq.MessageRetentionPeriod);
});

test('the counters table: the template’s key schema is the fleet adapter’s', skip, async () => {
  const [[tableId]] = ofType(json, 'AWS::DynamoDB::GlobalTable');
  const deployed = (await ddb.send(new DescribeTableCommand({ TableName: created.get(tableId)!.Ref })))
    .Table!;
  assert.deepEqual(deployed.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
  assert.deepEqual(deployed.AttributeDefinitions, [{ AttributeName: 'pk', AttributeType: 'S' }]);
  assert.equal(deployed.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
  await createCountersTable(ddb, 'fleet-helper-counters');
  const helper = (await ddb.send(new DescribeTableCommand({ TableName: 'fleet-helper-counters' }))).Table!;
  assert.deepEqual(helper.KeySchema, deployed.KeySchema);
  assert.deepEqual(helper.AttributeDefinitions, deployed.AttributeDefinitions);
  assert.equal(helper.BillingModeSummary?.BillingMode, deployed.BillingModeSummary?.BillingMode);
});
