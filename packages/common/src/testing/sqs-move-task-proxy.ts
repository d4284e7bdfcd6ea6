/**
 * A STAND-IN for SQS's dead-letter redrive (`StartMessageMoveTask`, `ListMessageMoveTasks`), as an HTTP proxy on
 * 127.0.0.1 in front of moto, which answers those two actions with HTTP 500. Every other request goes to moto
 * untouched. A move task does what SQS documents: it moves every message of the dead-letter queue to the
 * destination (by default the queue whose RedrivePolicy names it) by receive → send → delete, in the background,
 * so a moved message gets a NEW message id and a receive count starting again at 1 — as on AWS, where nothing may
 * rely on a delivery's id. Point the SDK at `url` (endpoint or AWS_ENDPOINT_URL_SQS) and code runs unchanged.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { forwardRequest } from './forward-request.js';
import type { AwsClientConfig } from './moto-server.js';

export interface MoveTask {
  taskHandle: string;
  sourceArn: string;
  destinationArn: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  moved: number;
  startedAt: number;
  failureReason?: string;
}

export interface SqsMoveTaskProxy {
  /** What to give the SDK as its SQS endpoint. */
  url: string;
  /** An SDK client's config for the proxy: its `url` with the upstream's region and credentials. */
  clientConfig: AwsClientConfig;
  /** Every move task started, in order. */
  tasks: MoveTask[];
  /** Resolves when no move task is running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const queueNameOf = (arn: string) => arn.split(':').pop() ?? arn;

/** `upstream`: how an SDK client reaches moto's SQS (a MotoServer's `clientConfig`). */
export async function startSqsMoveTaskProxy(upstream: AwsClientConfig): Promise<SqsMoveTaskProxy> {
  const upstreamUrl = new URL(upstream.endpoint);
  const sqs = new SQSClient(upstream);
  const running = new Set<Promise<void>>();
  const tasks: MoveTask[] = [];

  const urlOf = async (arn: string) =>
    (await sqs.send(new GetQueueUrlCommand({ QueueName: queueNameOf(arn) }))).QueueUrl as string;

  /** The queue whose RedrivePolicy names `dlqArn` (SQS's default destination). */
  async function sourceOf(dlqArn: string): Promise<string | null> {
    const urls = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
    for (const url of urls) {
      const a = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'RedrivePolicy'] }),
      );
      const policy = a.Attributes?.RedrivePolicy;
      if (policy && JSON.parse(policy).deadLetterTargetArn === dlqArn) return a.Attributes?.QueueArn ?? null;
    }
    return null;
  }

  async function move(task: MoveTask): Promise<void> {
    try {
      const from = await urlOf(task.sourceArn);
      const to = await urlOf(task.destinationArn);
      for (;;) {
        const got = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: from,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 30,
            MessageAttributeNames: ['All'],
          }),
        );
        const messages = got.Messages ?? [];
        if (messages.length === 0) break;
        for (const m of messages) {
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: to,
              MessageBody: m.Body,
              MessageAttributes: m.MessageAttributes,
            }),
          );
          await sqs.send(new DeleteMessageCommand({ QueueUrl: from, ReceiptHandle: m.ReceiptHandle }));
          task.moved++;
        }
      }
      task.status = 'COMPLETED';
    } catch (err) {
      task.status = 'FAILED';
      task.failureReason = (err as Error).message;
    }
  }

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, type: string, message: string) =>
    json(res, 400, { __type: `com.amazonaws.sqs#${type}`, message });

  async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  async function startTask(req: IncomingMessage, res: ServerResponse) {
    const input = await readJson(req);
    const sourceArn = String(input.SourceArn ?? '');
    if (!sourceArn) return fail(res, 'InvalidParameterValue', 'SourceArn is required');
    if (tasks.some((t) => t.sourceArn === sourceArn && t.status === 'RUNNING'))
      return fail(res, 'UnsupportedOperation', 'There is already a task running for this source queue.');
    const destinationArn = input.DestinationArn ? String(input.DestinationArn) : await sourceOf(sourceArn);
    if (!destinationArn)
      return fail(res, 'InvalidParameterValue', `${sourceArn} is no queue's dead-letter queue`);
    const task: MoveTask = {
      taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString('base64'),
      sourceArn,
      destinationArn,
      status: 'RUNNING',
      moved: 0,
      startedAt: Date.now(),
    };
    tasks.push(task);
    const p = move(task).finally(() => running.delete(p));
    running.add(p);
    json(res, 200, { TaskHandle: task.taskHandle });
  }

  async function listTasks(req: IncomingMessage, res: ServerResponse) {
    const input = await readJson(req);
    const results = tasks
      .filter((t) => t.sourceArn === input.SourceArn)
      .reverse()
      .map((t) => ({
        TaskHandle: t.status === 'RUNNING' ? t.taskHandle : undefined,
        Status: t.status,
        SourceArn: t.sourceArn,
        DestinationArn: t.destinationArn,
        ApproximateNumberOfMessagesMoved: t.moved,
        StartedTimestamp: t.startedAt,
        FailureReason: t.failureReason,
      }));
    json(res, 200, { Results: results });
  }

  const server = createServer((req, res) => {
    const target = req.headers['x-amz-target'];
    const handled =
      target === 'AmazonSQS.StartMessageMoveTask'
        ? startTask(req, res)
        : target === 'AmazonSQS.ListMessageMoveTasks'
          ? listTasks(req, res)
          : null;
    if (!handled) return forwardRequest(upstreamUrl, req, res);
    handled.catch((err) => fail(res, 'InternalError', (err as Error).message));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const idle = async () => {
    while (running.size > 0) await Promise.all([...running]);
  };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    clientConfig: { ...upstream, endpoint: url },
    tasks,
    idle,
    async close() {
      await idle();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      sqs.destroy();
    },
  };
}
