/**
 * The port's consume loop on SQS, built on sqs-consumer: it receives, keeps the message in hand invisible with
 * its heartbeat and deletes on `done`. What sqs-consumer lacks is added here: `release` (visible again now), an
 * AbortSignal for the handler, and a stop() that waits until the consumer is idle.
 *
 * Limits: stop() waits for the long poll in flight (up to `waitSeconds`; sqs-consumer's own abort would also
 * cancel the delete of a `done` message), and hands back what that poll returns. A heartbeat request already on
 * the wire when a `release` is sent can land after it and hide the message again for `visibilitySeconds`.
 */
import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Consumer as SqsConsumer } from 'sqs-consumer';
import { isStaleReceiptError } from './sqs-errors.js';
import { toQueueMessage } from './sqs-message.js';
import type { ConsumeOptions, Consumer, QueueMessage } from './work-queue.js';

/** With `waitSeconds: 0` sqs-consumer would poll back to back; pause this long between empty-handed polls. */
const SHORT_POLL_PAUSE_MS = 250;
const IDLE_CHECK_MS = 20;

export function consumeSqs(client: SQSClient, queueUrl: string, options: ConsumeOptions): Consumer {
  let running = false;
  let inner: SqsConsumer | undefined;
  let controller = new AbortController();
  /** Releases scheduled after a handler returned `release` (see handleMessage). */
  const pending = new Set<Promise<void>>();

  const report = (err: unknown, message?: QueueMessage) => {
    if (isStaleReceiptError(err)) return; // a heartbeat racing a delete: harmless
    const error = err instanceof Error ? err : new Error(String(err));
    try {
      options.onError?.(error, message);
    } catch {
      // an error listener's own failure must not stop the loop
    }
  };

  const release = async (message: QueueMessage) => {
    try {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.receipt,
          VisibilityTimeout: 0,
        }),
      );
    } catch (err) {
      report(err, message);
    }
  };

  /** Releases after sqs-consumer has returned from the message (and so cleared its heartbeat, which would hide it again). */
  const releaseLater = (message: QueueMessage) => {
    const p = new Promise<void>((done) => setImmediate(done)).then(() => release(message));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const handleMessage = async (raw: Message): Promise<Message | undefined> => {
    const message = toQueueMessage(raw);
    if (!running) {
      // The receive in flight when stop() was called answered afterwards: hand the message back now.
      releaseLater(message);
      return undefined;
    }
    const result = await options.handle(message, controller.signal);
    if (result === 'done') return raw;
    if (result === 'release') {
      releaseLater(message);
      return undefined;
    }
    throw new Error(
      `handler returned ${JSON.stringify(result)} for message ${message.id} (expected done or release)`,
    );
  };

  const messageOf = (m: Message | Message[] | undefined): QueueMessage | undefined => {
    if (!m || Array.isArray(m)) return undefined;
    try {
      return toQueueMessage(m);
    } catch {
      return undefined;
    }
  };
  /** sqs-consumer wraps the handler's error; the port's listener gets the handler's own. */
  const unwrap = (err: Error): unknown => (err.name === 'StandardError' && err.cause ? err.cause : err);

  return {
    get running() {
      return running;
    },
    start() {
      if (running) return;
      controller = new AbortController();
      inner = SqsConsumer.create({
        queueUrl,
        sqs: client,
        handleMessage,
        batchSize: 1,
        visibilityTimeout: options.visibilitySeconds,
        heartbeatInterval: options.heartbeatSeconds,
        waitTimeSeconds: options.waitSeconds,
        pollingWaitTimeMs: options.waitSeconds > 0 ? 0 : SHORT_POLL_PAUSE_MS,
        messageSystemAttributeNames: ['ApproximateReceiveCount'],
        strictReturn: true,
      });
      inner.on('error', (err, m) => report(unwrap(err), messageOf(m)));
      inner.on('processing_error', (err, m) => report(unwrap(err), messageOf(m)));
      inner.on('timeout_error', (err, m) => report(err, messageOf(m)));
      inner.on('empty', () => {
        try {
          options.onEmpty?.();
        } catch (err) {
          report(err);
        }
      });
      running = true;
      inner.start();
    },
    async stop() {
      const current = inner;
      if (!current) return;
      running = false;
      controller.abort();
      // Not stop({ abort: true }): that signal also cancels the delete of a message whose handler said `done`.
      current.stop();
      // Idle: no receive or handler in flight (sqs-consumer's poll covers both) and no release pending.
      while (current.status.isPolling || pending.size > 0) {
        if (pending.size > 0) await Promise.all(pending);
        else await new Promise((r) => setTimeout(r, IDLE_CHECK_MS));
      }
      if (inner === current) inner = undefined;
    },
  };
}
