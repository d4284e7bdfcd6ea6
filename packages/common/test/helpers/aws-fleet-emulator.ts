/**
 * The fleet's AWS side on moto (the emulation note): the `partitions` and `themes` queues with their dead-letter
 * queues (redrive policy, maxReceiveCount 3) and the counters table. Two servers: DynamoDB on a serial one (moto's
 * threaded server lets racing conditional writes both succeed, see moto-server.ts), SQS on a threaded one (long
 * polls would block a serial server), reached through the StartMessageMoveTask stand-in (./sqs-move-task-proxy.ts)
 * so `producer redrive --backend aws` runs as on AWS. `env` points child processes at them through the SDK's own
 * AWS_ENDPOINT_URL_<SERVICE> variables and DESIGN's CALLTHEMES_* names.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createCountersTable } from '../../src/counters/dynamodb-table.js';
import { createQueueWithDeadLetter } from '../../src/queue/sqs-create-queue.js';
import { type MotoServer, startMotoServer } from './moto-server.js';
import { type SqsMoveTaskProxy, startSqsMoveTaskProxy } from './sqs-move-task-proxy.js';

export interface AwsFleetEmulator {
  env: Record<string, string>;
  sqs: SQSClient;
  /** The SQS endpoint's move tasks (DLQ redrives). */
  moves: SqsMoveTaskProxy;
  ddb: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startAwsFleetEmulator(
  o: { visibilitySeconds?: number; maxReceiveCount?: number; table?: string } = {},
): Promise<AwsFleetEmulator> {
  const servers: MotoServer[] = [];
  let moves: SqsMoveTaskProxy | null = null;
  try {
    const queues = await startMotoServer();
    servers.push(queues);
    moves = await startSqsMoveTaskProxy({
      upstream: queues.endpoint,
      region: queues.region,
      credentials: queues.credentials,
    });
    const tables = await startMotoServer({ serial: true });
    servers.push(tables);
    const sqs = new SQSClient({
      endpoint: moves.url,
      region: queues.region,
      credentials: queues.credentials,
    });
    const ddb = new DynamoDBClient({
      endpoint: tables.endpoint,
      region: tables.region,
      credentials: tables.credentials,
    });
    const opts = { maxReceiveCount: o.maxReceiveCount ?? 3, visibilitySeconds: o.visibilitySeconds ?? 30 };
    const partitions = await createQueueWithDeadLetter(sqs, 'partitions', opts);
    const themes = await createQueueWithDeadLetter(sqs, 'themes', opts);
    const table = o.table ?? 'counters';
    await createCountersTable(ddb, table);
    const proxy = moves;
    return {
      sqs,
      moves: proxy,
      ddb,
      env: {
        AWS_REGION: queues.region,
        AWS_ACCESS_KEY_ID: queues.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: queues.credentials.secretAccessKey,
        AWS_ENDPOINT_URL_SQS: proxy.url,
        AWS_ENDPOINT_URL_DYNAMODB: tables.endpoint,
        CALLTHEMES_PARTITIONS_QUEUE_URL: partitions.queueUrl,
        CALLTHEMES_THEMES_QUEUE_URL: themes.queueUrl,
        CALLTHEMES_COUNTERS_TABLE: table,
      },
      async stop() {
        sqs.destroy();
        ddb.destroy();
        await proxy.close();
        for (const s of servers) await s.stop();
      },
    };
  } catch (err) {
    await moves?.close();
    for (const s of servers) await s.stop();
    throw err;
  }
}
