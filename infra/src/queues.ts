/**
 * The fleet's two SQS queues, each with its DLQ: a message that failed MAX_RECEIVE_COUNT receives moves there
 * and waits (14 days, longer than the source's 4: the DLQ keeps the original enqueue time) for `producer redrive`.
 * The visibility timeout covers one measured message with margin; the workers' heartbeat extends it further.
 */
import { MAX_RECEIVE_COUNT } from '@callthemes/common/config';
import { Duration, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** SQS's maximum message size since 2025 (1 MiB); set explicitly, CloudFormation's default is 256 KiB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Visibility timeout for a message whose measured handling time is `seconds`: 3×, at least 5 min, at most 12 h. */
export function visibilityFor(seconds: number): Duration {
  return Duration.seconds(Math.min(12 * 3600, Math.max(300, Math.ceil(3 * seconds))));
}

export interface WorkQueueProps {
  /** Measured handling time of one message, in seconds. */
  handlingSeconds: number;
}

/** One queue with its DLQ. */
export class WorkQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.dlq = new sqs.Queue(this, 'Dlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      maxMessageSizeBytes: MAX_MESSAGE_BYTES,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      maxMessageSizeBytes: MAX_MESSAGE_BYTES,
      visibilityTimeout: visibilityFor(props.handlingSeconds),
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }
}

export interface FleetQueuesProps {
  partitionSeconds: number;
  themeSeconds: number;
}

export class FleetQueues extends Construct {
  readonly partitions: WorkQueue;
  readonly themes: WorkQueue;

  constructor(scope: Construct, id: string, props: FleetQueuesProps) {
    super(scope, id);
    this.partitions = new WorkQueue(this, 'Partitions', { handlingSeconds: props.partitionSeconds });
    this.themes = new WorkQueue(this, 'Themes', { handlingSeconds: props.themeSeconds });
  }
}
