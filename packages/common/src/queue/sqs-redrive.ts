/**
 * Redrive on SQS: one StartMessageMoveTask from the dead-letter queue back to its source. Kept thin and apart
 * because no emulator reachable in tests implements the call (moto answers 500); its test checks the request
 * with aws-sdk-client-mock, and a manual check on AWS covers the rest.
 */
import { GetQueueAttributesCommand, type SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import type { RedriveResult } from './work-queue.js';

export interface RedriveTarget {
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
  sourceQueueArn: string;
}

export async function redriveDeadLetters(
  client: SQSClient,
  target: RedriveTarget,
  options: { dryRun?: boolean } = {},
): Promise<RedriveResult> {
  const attrs = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: target.deadLetterQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  const moved = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
  if (options.dryRun || moved === 0) return { moved };
  const task = await client.send(
    new StartMessageMoveTaskCommand({
      SourceArn: target.deadLetterQueueArn,
      DestinationArn: target.sourceQueueArn,
    }),
  );
  return task.TaskHandle ? { moved, task: task.TaskHandle } : { moved };
}
