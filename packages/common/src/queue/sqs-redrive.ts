/**
 * Redrive on SQS: one StartMessageMoveTask from the dead-letter queue back to its source. SQS moves the messages
 * in the background and gives each a new message id (nothing in the fleet relies on a delivery's id). Tested
 * through the WorkQueue contract against moto behind a StartMessageMoveTask stand-in (moto lacks the call).
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
