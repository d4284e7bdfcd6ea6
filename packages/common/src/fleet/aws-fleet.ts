/**
 * The fleet on AWS: the SQS queues and the DynamoDB counters table the settings name. Region, credentials and
 * endpoints come from the SDK's own chain (AWS_REGION, the task role, AWS_ENDPOINT_URL_* for an emulator).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDbCounters } from '../counters/dynamodb-counters.js';
import { SqsWorkQueue } from '../queue/sqs-queue.js';
import { type Fleet, type FleetSettings, PARTITIONS_QUEUE, THEMES_QUEUE } from './open-fleet.js';

export async function openAwsFleet(settings: FleetSettings): Promise<Fleet> {
  const missing = (
    [
      ['CALLTHEMES_PARTITIONS_QUEUE_URL', settings.partitionsQueueUrl],
      ['CALLTHEMES_THEMES_QUEUE_URL', settings.themesQueueUrl],
      ['CALLTHEMES_COUNTERS_TABLE', settings.countersTable],
    ] as const
  )
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0) throw new Error(`the aws backend needs ${missing.join(', ')}`);
  const sqs = new SQSClient({});
  const ddb = new DynamoDBClient({});
  return {
    settings,
    partitions: new SqsWorkQueue({
      client: sqs,
      queueUrl: settings.partitionsQueueUrl!,
      name: PARTITIONS_QUEUE,
    }),
    themes: new SqsWorkQueue({ client: sqs, queueUrl: settings.themesQueueUrl!, name: THEMES_QUEUE }),
    counters: new DynamoDbCounters({ client: ddb, tableName: settings.countersTable! }),
    async close() {
      sqs.destroy();
      ddb.destroy();
    },
  };
}
