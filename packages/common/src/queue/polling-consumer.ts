/**
 * A consume loop over any WorkQueue (the local adapter's; SQS has sqs-consumer): receive one message, keep it
 * hidden with a heartbeat while the handler works, then delete it (`done`), make it visible again (`release`),
 * or leave it to time out (a throw). One message at a time: a worker's CPU is the firm work's.
 */
import type { ConsumeOptions, Consumer, QueueMessage, WorkQueue } from './work-queue.js';

/**
 * Receives poll in slices of at most this many seconds so `stop()` answers quickly: a stop waits for the slice in
 * progress, and a local run's end waits for its slowest worker's. A local receive costs ~0.3 ms and polls every
 * 100 ms inside a slice anyway, so a short slice costs nothing (1 s slices added ~0.75 s to every run's end).
 */
const POLL_SLICE_SECONDS = 0.25;

export function pollingConsumer(queue: WorkQueue, o: ConsumeOptions): Consumer {
  let running = false;
  let loop: Promise<void> | null = null;
  let current: AbortController | null = null;
  const report = (err: unknown, m?: QueueMessage) => o.onError?.(err as Error, m);

  async function handleOne(m: QueueMessage): Promise<void> {
    const ac = new AbortController();
    current = ac;
    const beat = setInterval(() => {
      queue.changeVisibility(m.receipt, o.visibilitySeconds).catch((err) => report(err, m));
    }, o.heartbeatSeconds * 1000);
    try {
      const result = await o.handle(m, ac.signal);
      if (result === 'done') await queue.delete(m.receipt);
      else await queue.changeVisibility(m.receipt, 0);
    } catch (err) {
      report(err, m);
    } finally {
      clearInterval(beat);
      current = null;
    }
  }

  async function run(): Promise<void> {
    while (running) {
      let got: QueueMessage[];
      try {
        got = await queue.receive({
          max: 1,
          visibilitySeconds: o.visibilitySeconds,
          waitSeconds: Math.min(o.waitSeconds, POLL_SLICE_SECONDS),
        });
      } catch (err) {
        report(err);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (got.length === 0) {
        o.onEmpty?.();
        continue;
      }
      for (const m of got) {
        if (!running) {
          await queue.changeVisibility(m.receipt, 0).catch((err) => report(err, m));
          continue;
        }
        await handleOne(m);
      }
    }
  }

  return {
    get running() {
      return running;
    },
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      current?.abort();
      await loop;
    },
  };
}
