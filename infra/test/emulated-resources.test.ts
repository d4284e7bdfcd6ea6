/**
 * What is deployed is what the fleet's tests exercise: the SQS queues (attributes, redrive policy) and the
 * DynamoDB counters table are created on a moto server *from the synthesized template's resource properties*,
 * then read back through GetQueueAttributes / DescribeTable, the redrive run for real, and the result compared
 * with what the fleet's own test helpers create (`createQueueWithDeadLetter`, `createCountersTable`).
 */
import assert from 'node:assert/strict';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
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
import { type CfnJson, ofType, type Synthesized, synthesize } from './synth.js';

const skip = skipIf(motoMissing() ?? undefined);
let s: Synthesized;
let json: CfnJson;
let moto: MotoServer;
let sqs: SQSClient;
let ddb: DynamoDBClient;
/** Logical id → created queue URL and ARN. */
const created = new Map<string, { url: string; arn: string }>();

/** The SQS attributes a CloudFormation AWS::SQS::Queue sets (the ones the fleet relies on). */
const SQS_ATTRIBUTES = [
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'VisibilityTimeout',
  'ReceiveMessageWaitTimeSeconds',
  'SqsManagedSseEnabled',
] as const;

/** Fn::GetAtt [id, Arn] → the ARN of the queue created for `id`. */
function resolveArn(value: unknown): string {
  const att = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  const arn = att && att[1] === 'Arn' ? created.get(att[0])?.arn : undefined;
  if (!arn) throw new Error(`cannot resolve ${JSON.stringify(value)}: its queue is not created yet`);
  return arn;
}

beforeAll(async () => {
  if (skip.skip) return;
  s = synthesize();
  json = s.json;
  moto = await startMotoServer();
  const config = moto.clientConfig;
  sqs = new SQSClient(config);
  ddb = new DynamoDBClient(config);
  // DLQs first (no RedrivePolicy), then the queues that name them.
  const queues = ofType(json, 'AWS::SQS::Queue').sort(
    ([, a], [, b]) =>
      Number(Boolean(a.Properties.RedrivePolicy)) - Number(Boolean(b.Properties.RedrivePolicy)),
  );
  for (const [id, q] of queues) {
    const p = q.Properties;
    const attributes: Record<string, string> = {};
    for (const k of SQS_ATTRIBUTES) if (p[k] !== undefined) attributes[k] = String(p[k]);
    if (p.RedrivePolicy)
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: resolveArn(p.RedrivePolicy.deadLetterTargetArn),
        maxReceiveCount: p.RedrivePolicy.maxReceiveCount,
      });
    const out = await sqs.send(new CreateQueueCommand({ QueueName: id, Attributes: attributes }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: out.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    created.set(id, { url: out.QueueUrl!, arn: attrs.Attributes!.QueueArn! });
  }
  const [[tableId, table]] = ofType(json, 'AWS::DynamoDB::GlobalTable');
  await ddb.send(
    new CreateTableCommand({
      TableName: tableId,
      KeySchema: table.Properties.KeySchema,
      AttributeDefinitions: table.Properties.AttributeDefinitions,
      BillingMode: table.Properties.BillingMode,
    }),
  );
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1 }, { TableName: tableId });
}, 120_000);

afterAll(async () => {
  await moto?.stop();
  s?.cleanup();
});

const idOf = (prefix: string) => [...created.keys()].find((id) => id.startsWith(prefix))!;

test('the queues read back with the template’s attributes and redrive policy', skip, async () => {
  assert.equal(created.size, 4);
  for (const [id, { url }] of created) {
    const p = json.Resources[id].Properties;
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
        created.get(p.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0])!.arn,
      );
    }
  }
});

test('a partition message received 3 times without a delete moves to the partitions DLQ', skip, async () => {
  const queue = created.get(idOf('QueuesPartitionsQueue'))!.url;
  const dlq = created.get(idOf('QueuesPartitionsDlq'))!.url;
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
    attrs(created.get(idOf('QueuesPartitionsQueue'))!.url),
    attrs(created.get(idOf('QueuesPartitionsDlq'))!.url),
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
  const deployed = (await ddb.send(new DescribeTableCommand({ TableName: tableId }))).Table!;
  assert.deepEqual(deployed.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
  assert.deepEqual(deployed.AttributeDefinitions, [{ AttributeName: 'pk', AttributeType: 'S' }]);
  assert.equal(deployed.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
  await createCountersTable(ddb, 'fleet-helper-counters');
  const helper = (await ddb.send(new DescribeTableCommand({ TableName: 'fleet-helper-counters' }))).Table!;
  assert.deepEqual(helper.KeySchema, deployed.KeySchema);
  assert.deepEqual(helper.AttributeDefinitions, deployed.AttributeDefinitions);
  assert.equal(helper.BillingModeSummary?.BillingMode, deployed.BillingModeSummary?.BillingMode);
});
