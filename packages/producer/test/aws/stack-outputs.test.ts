/**
 * readStackOutputs against moto's CloudFormation: a stack created from a template whose Outputs carry the
 * infra's keys is read back into the typed object; a stack lacking some and an absent stack fail by name.
 */
import assert from 'node:assert/strict';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { STACK_OUTPUT_KEYS } from '@callthemes/common/config';
import { type MotoServer, motoMissing, startMotoServer } from '@callthemes/common/testing/moto-server';
import { skipIf } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, test } from 'vitest';
import { mapStackOutputs, readStackOutputs } from '../../src/aws/stack-outputs.js';

const skip = skipIf(motoMissing() ?? undefined);
let moto: MotoServer;
let cfn: CloudFormationClient;

/** A template with one real resource (a queue) and the given outputs, each a literal or the queue's URL. */
function template(keys: readonly string[]): string {
  return JSON.stringify({
    Resources: { Partitions: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'partitions' } } },
    Outputs: Object.fromEntries(
      keys.map((k) => [k, { Value: k === 'PartitionsQueueUrl' ? { Ref: 'Partitions' } : `value-of-${k}` }]),
    ),
  });
}

beforeAll(async () => {
  if (skip.skip) return;
  moto = await startMotoServer();
  cfn = new CloudFormationClient(moto.clientConfig);
  await cfn.send(
    new CreateStackCommand({ StackName: 'Callthemes', TemplateBody: template(STACK_OUTPUT_KEYS) }),
  );
  await cfn.send(
    new CreateStackCommand({
      StackName: 'Old',
      TemplateBody: template(STACK_OUTPUT_KEYS.filter((k) => k !== 'CountersTable' && k !== 'DashboardName')),
    }),
  );
}, 60_000);
afterAll(async () => moto?.stop());

test('the deployed stack’s outputs, by their keys', skip, async () => {
  const out = await readStackOutputs('Callthemes', { client: cfn });
  assert.deepEqual(Object.keys(out).sort(), [...STACK_OUTPUT_KEYS].sort());
  // Ref of an SQS queue is its URL.
  assert.match(out.PartitionsQueueUrl, /^http.*\/partitions$/);
  assert.equal(out.CountersTable, 'value-of-CountersTable');
  assert.equal(out.FirmWorkerService, 'value-of-FirmWorkerService');
});

test(
  'a stack without some outputs, and an absent stack, fail naming the stack and what is missing',
  skip,
  async () => {
    await assert.rejects(
      readStackOutputs('Old', { client: cfn }),
      /stack Old: missing outputs CountersTable, DashboardName/,
    );
    await assert.rejects(readStackOutputs('Absent', { client: cfn }), /stack Absent: /);
  },
);

test('the mapping alone: an empty value counts as missing', () => {
  const outputs = STACK_OUTPUT_KEYS.map((k) => ({
    OutputKey: k,
    OutputValue: k === 'LakeUri' ? '' : `v-${k}`,
  }));
  assert.throws(() => mapStackOutputs('S', outputs), /stack S: missing output LakeUri \(deploy/);
  const ok = mapStackOutputs(
    'S',
    STACK_OUTPUT_KEYS.map((k) => ({ OutputKey: k, OutputValue: `v-${k}` })),
  );
  assert.equal(ok.InferenceEndpoint, 'v-InferenceEndpoint');
});
