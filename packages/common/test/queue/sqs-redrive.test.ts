/**
 * SQS redrive (StartMessageMoveTask). THE ONE NAMED EXCEPTION to "never mock the AWS SDK": no emulator
 * reachable here implements StartMessageMoveTask (moto answers HTTP 500 NotImplementedError), so this test
 * checks the requests with aws-sdk-client-mock 4.1.0. The move itself is checked by hand on AWS.
 */
import { GetQueueAttributesCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, expect, it } from 'vitest';
import { redriveDeadLetters } from '../../src/queue/sqs-redrive.js';

const target = {
  deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/partitions-dlq',
  deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:partitions-dlq',
  sourceQueueArn: 'arn:aws:sqs:us-east-1:123456789012:partitions',
};

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

function client() {
  return new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
}

it('starts one move task from the dead-letter queue to its source and returns the count and task handle', async () => {
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '7' } });
  sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-abc' });
  const result = await redriveDeadLetters(client(), target);
  expect(result).toEqual({ moved: 7, task: 'task-abc' });
  expect(sqs.commandCalls(GetQueueAttributesCommand).map((c) => c.args[0].input)).toEqual([
    { QueueUrl: target.deadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] },
  ]);
  expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((c) => c.args[0].input)).toEqual([
    { SourceArn: target.deadLetterQueueArn, DestinationArn: target.sourceQueueArn },
  ]);
});

it('dryRun returns the dead-letter count and starts nothing', async () => {
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
  expect(await redriveDeadLetters(client(), target, { dryRun: true })).toEqual({ moved: 3 });
  expect(sqs.commandCalls(StartMessageMoveTaskCommand).length).toBe(0);
});

it('an empty dead-letter queue starts no task', async () => {
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });
  expect(await redriveDeadLetters(client(), target)).toEqual({ moved: 0 });
  expect(sqs.commandCalls(StartMessageMoveTaskCommand).length).toBe(0);
});
