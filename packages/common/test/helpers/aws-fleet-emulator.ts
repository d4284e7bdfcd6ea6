/**
 * The fleet's AWS side on moto (the emulation note): the `partitions` and `themes` queues with their dead-letter
 * queues (redrive policy, maxReceiveCount 3) and the counters table. Two servers: DynamoDB on a serial one (moto's
 * threaded server lets racing conditional writes both succeed, see moto-server.ts), SQS on a threaded one (long
 * polls would block a serial server), reached through the StartMessageMoveTask stand-in (./sqs-move-task-proxy.ts)
 * so `producer redrive --backend aws` runs as on AWS. `env` points child processes at them through the SDK's own
 * AWS_ENDPOINT_URL_<SERVICE> variables and DESIGN's CALLTHEMES_* names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll } from 'vitest';
import { createCountersTable } from '../../src/counters/dynamodb-table.js';
import { createQueueWithDeadLetter } from '../../src/queue/sqs-create-queue.js';
import { type MotoServer, motoMissing, startMotoServer } from './moto-server.js';
import { skipIf, tempDir } from './paths.js';
import { type SqsMoveTaskProxy, startSqsMoveTaskProxy } from './sqs-move-task-proxy.js';

export interface AwsFleetEmulator {
  env: Record<string, string>;
  sqs: SQSClient;
  /** The SQS endpoint's move tasks (DLQ redrives). */
  moves: SqsMoveTaskProxy;
  ddb: DynamoDBClient;
  /**
   * Puts a local folder's files on the emulator's S3 and returns its `s3://` prefix: AWS workers open only input
   * they can reach, so `enqueue --backend aws` with a folder lake refuses a local `--input`.
   */
  inputOnS3(dir: string): Promise<string>;
  stop(): Promise<void>;
}

const INPUT_BUCKET = 'callthemes-input';

export async function startAwsFleetEmulator(
  o: { visibilitySeconds?: number; maxReceiveCount?: number; table?: string } = {},
): Promise<AwsFleetEmulator> {
  const servers: MotoServer[] = [];
  let moves: SqsMoveTaskProxy | null = null;
  try {
    const queues = await startMotoServer();
    servers.push(queues);
    moves = await startSqsMoveTaskProxy(queues.clientConfig);
    const tables = await startMotoServer({ serial: true });
    servers.push(tables);
    const sqs = new SQSClient(moves.clientConfig);
    const ddb = new DynamoDBClient(tables.clientConfig);
    const opts = { maxReceiveCount: o.maxReceiveCount ?? 3, visibilitySeconds: o.visibilitySeconds ?? 30 };
    const partitions = await createQueueWithDeadLetter(sqs, 'partitions', opts);
    const themes = await createQueueWithDeadLetter(sqs, 'themes', opts);
    const table = o.table ?? 'counters';
    await createCountersTable(ddb, table);
    const proxy = moves;
    const s3 = new S3Client({ ...queues.clientConfig, forcePathStyle: true });
    let bucket: Promise<unknown> | null = null;
    return {
      sqs,
      moves: proxy,
      ddb,
      async inputOnS3(dir) {
        bucket ??= s3.send(new CreateBucketCommand({ Bucket: INPUT_BUCKET }));
        await bucket;
        const prefix = `input/${basename(dir)}`;
        for (const name of readdirSync(dir))
          await s3.send(
            new PutObjectCommand({
              Bucket: INPUT_BUCKET,
              Key: `${prefix}/${name}`,
              Body: readFileSync(join(dir, name)),
            }),
          );
        return `s3://${INPUT_BUCKET}/${prefix}`;
      },
      env: {
        AWS_REGION: queues.region,
        AWS_ACCESS_KEY_ID: queues.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: queues.credentials.secretAccessKey,
        AWS_ENDPOINT_URL_SQS: proxy.url,
        AWS_ENDPOINT_URL_DYNAMODB: tables.endpoint,
        AWS_ENDPOINT_URL_S3: queues.endpoint,
        CALLTHEMES_PARTITIONS_QUEUE_URL: partitions.queueUrl,
        CALLTHEMES_THEMES_QUEUE_URL: themes.queueUrl,
        CALLTHEMES_COUNTERS_TABLE: table,
      },
      async stop() {
        sqs.destroy();
        ddb.destroy();
        s3.destroy();
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

export interface AwsFleetTestFile {
  /** The file's temporary folder (removed after its tests). */
  dir: { path: string };
  /** A test's options: skipped, saying why, when moto is not installed. */
  needsMoto: { skip?: boolean };
  /**
   * Starts the emulator for the test calling it (stopped after the file's tests) and names a folder lake
   * `lakeName` under `dir`; `env` is the emulator's, then the file's `env`, then CALLTHEMES_LAKE.
   */
  start(lakeName?: string): Promise<{ aws: AwsFleetEmulator; lake: string; env: Record<string, string> }>;
}

/** The AWS emulator of a test file: one temp dir and one emulator at most, both gone after its tests. */
export function useAwsFleetEmulator(
  dirPrefix: string,
  o: { visibilitySeconds?: number; env?: Record<string, string> } = {},
): AwsFleetTestFile {
  const dir = tempDir(dirPrefix);
  let aws: AwsFleetEmulator | null = null;
  afterAll(async () => {
    await aws?.stop();
    dir.cleanup();
  });
  return {
    dir,
    needsMoto: skipIf(motoMissing() ?? undefined),
    async start(lakeName = 'lake') {
      if (aws) throw new Error('useAwsFleetEmulator: one emulator a test file');
      aws = await startAwsFleetEmulator({ visibilitySeconds: o.visibilitySeconds });
      const lake = join(dir.path, lakeName);
      return { aws, lake, env: { ...aws.env, ...o.env, CALLTHEMES_LAKE: lake } };
    },
  };
}
