/** An SQS message as the port's QueueMessage. */
import type { Message } from '@aws-sdk/client-sqs';
import type { QueueMessage } from './work-queue.js';

export function toQueueMessage(m: Message): QueueMessage {
  if (m.MessageId === undefined || m.ReceiptHandle === undefined || m.Body === undefined) {
    throw new Error(`SQS returned a message without an id, receipt or body (${m.MessageId ?? 'no id'})`);
  }
  return {
    id: m.MessageId,
    body: m.Body,
    receipt: m.ReceiptHandle,
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
  };
}
