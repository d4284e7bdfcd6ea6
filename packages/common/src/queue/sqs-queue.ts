/**
 * The WorkQueue port on Amazon SQS. The dead-letter queue is the one the queue's RedrivePolicy names (or the
 * one given); the consume loop is sqs-consumer's (./sqs-consume.ts).
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { consumeSqs } from './sqs-consume.js';
import { isStaleReceiptError } from './sqs-errors.js';
import { toQueueMessage } from './sqs-message.js';
import { redriveDeadLetters } from './sqs-redrive.js';
import type {
  ConsumeOptions,
  Consumer,
  QueueDepth,
  QueueMessage,
  ReceiveOptions,
  RedriveResult,
  WorkQueue,
} from './work-queue.js';

export interface SqsWorkQueueOptions {
  client: SQSClient;
  queueUrl: string;
  name: string;
  /** Default: resolved from the queue's RedrivePolicy. */
  deadLetterQueueUrl?: string;
}

interface DeadLetterTarget {
  url: string;
  arn: string;
  sourceArn: string;
}

/** SQS caps one receive at 10 messages. */
const MAX_RECEIVE = 10;

export class SqsWorkQueue implements WorkQueue {
  readonly name: string;
  readonly client: SQSClient;
  readonly queueUrl: string;
  private readonly givenDeadLetterUrl: string | undefined;
  private deadLetter$: Promise<DeadLetterTarget> | undefined;

  constructor(options: SqsWorkQueueOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.name = options.name;
    this.givenDeadLetterUrl = options.deadLetterQueueUrl;
  }

  async send(body: string): Promise<string> {
    const out = await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }),
    );
    if (!out.MessageId) throw new Error(`SQS send to ${this.name} returned no MessageId`);
    return out.MessageId;
  }

  async configuredVisibilitySeconds(): Promise<number> {
    const out = await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['VisibilityTimeout'] }),
    );
    const seconds = Number(out.Attributes?.VisibilityTimeout);
    if (!(Number.isFinite(seconds) && seconds > 0))
      throw new Error(`SQS queue ${this.name} reports no VisibilityTimeout (${String(seconds)})`);
    return seconds;
  }

  async receive(options: ReceiveOptions = {}): Promise<QueueMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(Math.max(options.max ?? 1, 1), MAX_RECEIVE),
        WaitTimeSeconds: options.waitSeconds ?? 0,
        ...(options.visibilitySeconds === undefined ? {} : { VisibilityTimeout: options.visibilitySeconds }),
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    return (out.Messages ?? []).map(toQueueMessage);
  }

  async changeVisibility(receipt: string, seconds: number): Promise<void> {
    try {
      await this.client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.queueUrl,
          ReceiptHandle: receipt,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (err) {
      if (!isStaleReceiptError(err)) throw err;
    }
  }

  async delete(receipt: string): Promise<void> {
    try {
      await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }));
    } catch (err) {
      if (!isStaleReceiptError(err)) throw err;
    }
  }

  async deadLetter(message: QueueMessage, reason: string): Promise<void> {
    const dlq = await this.deadLetterTarget();
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: dlq.url,
        MessageBody: message.body,
        MessageAttributes: {
          // SQS rejects empty attribute values.
          reason: { DataType: 'String', StringValue: reason || 'unspecified' },
          sourceMessageId: { DataType: 'String', StringValue: message.id },
        },
      }),
    );
    await this.delete(message.receipt);
  }

  async depth(): Promise<QueueDepth> {
    const dlq = await this.deadLetterTarget();
    const [main, dead] = await Promise.all([
      this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      ),
      this.client.send(
        new GetQueueAttributesCommand({ QueueUrl: dlq.url, AttributeNames: ['ApproximateNumberOfMessages'] }),
      ),
    ]);
    return {
      visible: Number(main.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(main.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
      deadLetters: Number(dead.Attributes?.ApproximateNumberOfMessages ?? 0),
    };
  }

  async redrive(options: { dryRun?: boolean } = {}): Promise<RedriveResult> {
    const dlq = await this.deadLetterTarget();
    return redriveDeadLetters(
      this.client,
      { deadLetterQueueUrl: dlq.url, deadLetterQueueArn: dlq.arn, sourceQueueArn: dlq.sourceArn },
      options,
    );
  }

  consumer(options: ConsumeOptions): Consumer {
    return consumeSqs(this.client, this.queueUrl, options);
  }

  /** The DLQ's URL and ARN (and this queue's ARN, for redrive), looked up once. */
  private deadLetterTarget(): Promise<DeadLetterTarget> {
    this.deadLetter$ ??= this.resolveDeadLetter().catch((err: unknown) => {
      this.deadLetter$ = undefined;
      throw err;
    });
    return this.deadLetter$;
  }

  private async resolveDeadLetter(): Promise<DeadLetterTarget> {
    const attrs = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ['QueueArn', 'RedrivePolicy'],
      }),
    );
    const sourceArn = attrs.Attributes?.QueueArn;
    if (!sourceArn) throw new Error(`queue ${this.name}: SQS returned no QueueArn`);
    if (this.givenDeadLetterUrl) {
      const dlqAttrs = await this.client.send(
        new GetQueueAttributesCommand({ QueueUrl: this.givenDeadLetterUrl, AttributeNames: ['QueueArn'] }),
      );
      const arn = dlqAttrs.Attributes?.QueueArn;
      if (!arn) throw new Error(`queue ${this.name}: its dead-letter queue has no QueueArn`);
      return { url: this.givenDeadLetterUrl, arn, sourceArn };
    }
    const policy = attrs.Attributes?.RedrivePolicy;
    if (!policy)
      throw new Error(`queue ${this.name} has no RedrivePolicy and no dead-letter queue was given`);
    const arn = (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    if (!arn) throw new Error(`queue ${this.name}: its RedrivePolicy names no deadLetterTargetArn`);
    // arn:aws:sqs:<region>:<account>:<name>
    const parts = arn.split(':');
    const out = await this.client.send(
      new GetQueueUrlCommand({ QueueName: parts[5], QueueOwnerAWSAccountId: parts[4] }),
    );
    if (!out.QueueUrl) throw new Error(`queue ${this.name}: no URL for its dead-letter queue ${parts[5]}`);
    return { url: out.QueueUrl, arn, sourceArn };
  }
}
