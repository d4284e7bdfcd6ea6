/** Creates a queue and its dead-letter queue `<name>-dlq` with a RedrivePolicy (tests; the CDK does it on AWS). */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS's largest message, so a partition message never fails on size before the schema does. */
const MAX_MESSAGE_BYTES = 1_048_576;

export interface CreatedQueue {
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

export async function createQueueWithDeadLetter(
  client: SQSClient,
  name: string,
  options: { maxReceiveCount: number; visibilitySeconds: number },
): Promise<CreatedQueue> {
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: `${name}-dlq`,
      Attributes: { MaximumMessageSize: String(MAX_MESSAGE_BYTES), MessageRetentionPeriod: '1209600' },
    }),
  );
  const deadLetterQueueUrl = required(dlq.QueueUrl, `${name}-dlq QueueUrl`);
  const deadLetterQueueArn = await queueArn(client, deadLetterQueueUrl);
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        MaximumMessageSize: String(MAX_MESSAGE_BYTES),
        VisibilityTimeout: String(options.visibilitySeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterQueueArn,
          maxReceiveCount: options.maxReceiveCount,
        }),
      },
    }),
  );
  const queueUrl = required(queue.QueueUrl, `${name} QueueUrl`);
  return { queueUrl, queueArn: await queueArn(client, queueUrl), deadLetterQueueUrl, deadLetterQueueArn };
}

export async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const attrs = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return required(attrs.Attributes?.QueueArn, `QueueArn of ${queueUrl}`);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`SQS answered without ${what}`);
  return value;
}
