/**
 * The WorkQueue contract: SQS's semantics, asserted the same way on every adapter (SQS on moto, SQLite).
 * Times are short (1–2 s visibility) so redelivery, the dead-letter move and the heartbeat are exercised for real.
 */
import { describe, expect, it } from 'vitest';
import type { ConsumeOptions, QueueMessage, WorkQueue } from '../../src/queue/work-queue.js';
import { contractSuite } from '../helpers/contract.js';

export interface WorkQueueContractEnv {
  makeQueue(opts: { name: string; maxReceiveCount: number; visibilitySeconds: number }): Promise<WorkQueue>;
  teardown(): Promise<void>;
  /** The adapter's redrive works against its backend (on moto through the StartMessageMoveTask stand-in). */
  supportsRedrive?: boolean;
  /** Bodies in the queue's dead-letter queue, without consuming them; lets the suite check bodies stay intact. */
  deadLetterBodies?(queue: WorkQueue): Promise<string[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export const describeWorkQueueContract = contractSuite(
  'WorkQueue contract',
  (env: WorkQueueContractEnv, name: string) => {
    let n = 0;
    const queue = (maxReceiveCount = 3, visibilitySeconds = 2) =>
      env.makeQueue({ name: `contract-${Date.now() % 100000}-${++n}`, maxReceiveCount, visibilitySeconds });
    /** A consumer of `q` that long-polls for 1 s, so the tests see stop() and empty receives quickly. */
    const consume = (
      q: WorkQueue,
      timing: Pick<ConsumeOptions, 'visibilitySeconds' | 'heartbeatSeconds'>,
      handlers: Pick<ConsumeOptions, 'handle' | 'onError' | 'onEmpty'>,
    ) => q.consumer({ ...timing, waitSeconds: 1, ...handlers });

    it('sends, receives and deletes; the queue is then empty', async () => {
      const q = await queue();
      const id = await q.send('{"a":1}');
      const got = await q.receive({ max: 10 });
      expect(got.length).toBe(1);
      expect(got[0]!.id).toBe(id);
      expect(got[0]!.body).toBe('{"a":1}');
      expect(got[0]!.receiveCount).toBe(1);
      expect(await q.depth()).toEqual({ visible: 0, inFlight: 1, deadLetters: 0 });
      await q.delete(got[0]!.receipt);
      expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 0 });
      expect(await q.receive()).toEqual([]);
    });

    it('hides a received message until its visibility ends, then redelivers it with receiveCount 2 and a new receipt', async () => {
      const q = await queue(5, 1);
      const id = await q.send('again');
      const [first] = await q.receive();
      expect(first!.id).toBe(id);
      expect(await q.receive()).toEqual([]);
      await sleep(1_500);
      const second = await q.receive({ waitSeconds: 2 });
      expect(second.length).toBe(1);
      expect(second[0]!.id).toBe(id);
      expect(second[0]!.body).toBe('again');
      expect(second[0]!.receiveCount).toBe(2);
      expect(second[0]!.receipt).not.toBe(first!.receipt);
    });

    it('receive honours its own visibilitySeconds', async () => {
      const q = await queue(5, 30);
      const id = await q.send('short');
      const [first] = await q.receive({ visibilitySeconds: 1 });
      expect(first!.id).toBe(id);
      await sleep(1_500);
      const again = await q.receive({ waitSeconds: 2 });
      expect(again.map((m) => [m.id, m.receiveCount])).toEqual([[id, 2]]);
    });

    it('changeVisibility(0) releases a message at once', async () => {
      const q = await queue(5, 30);
      const id = await q.send('release me');
      const [m] = await q.receive();
      await q.changeVisibility(m!.receipt, 0);
      const again = await q.receive();
      expect(again.map((x) => [x.id, x.body, x.receiveCount])).toEqual([[id, 'release me', 2]]);
    });

    it('a stale receipt (message already deleted) is harmless for delete and changeVisibility', async () => {
      const q = await queue();
      await q.send('once');
      const [m] = await q.receive();
      await q.delete(m!.receipt);
      await q.delete(m!.receipt);
      await q.changeVisibility(m!.receipt, 0);
      expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 0 });
      expect(await q.receive()).toEqual([]);
    });

    it('after maxReceiveCount receives without a delete the message is in the dead-letter queue, body intact', async () => {
      const q = await queue(2, 30);
      const body = JSON.stringify({ partition: 7, text: 'é ∑ intact' });
      const id = await q.send(body);
      const counts: number[] = [];
      for (let i = 0; i < 2; i++) {
        const [m] = await q.receive();
        expect(m!.id).toBe(id);
        counts.push(m!.receiveCount);
        await q.changeVisibility(m!.receipt, 0);
      }
      expect(counts).toEqual([1, 2]);
      // The receive past maxReceiveCount moves it instead of delivering it.
      expect(await q.receive({ waitSeconds: 1 })).toEqual([]);
      expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 1 });
      if (env.deadLetterBodies) expect(await env.deadLetterBodies(q)).toEqual([body]);
    });

    it('deadLetter() moves a message at once, body intact', async () => {
      const q = await queue(5, 30);
      await q.send('keep');
      await q.send('malformed');
      const got = await q.receive({ max: 10 });
      expect(got.map((m) => m.body).sort()).toEqual(['keep', 'malformed']);
      const bad = got.find((m) => m.body === 'malformed')!;
      const good = got.find((m) => m.body === 'keep')!;
      await q.deadLetter(bad, 'schema: partition missing');
      expect(await q.depth()).toEqual({ visible: 0, inFlight: 1, deadLetters: 1 });
      await q.delete(good.receipt);
      expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 1 });
      if (env.deadLetterBodies) expect(await env.deadLetterBodies(q)).toEqual(['malformed']);
    });

    it('depth counts visible and in-flight messages', async () => {
      const q = await queue(5, 30);
      for (const b of ['1', '2', '3']) await q.send(b);
      expect(await q.depth()).toEqual({ visible: 3, inFlight: 0, deadLetters: 0 });
      const got = await q.receive({ max: 1 });
      expect(got.length).toBe(1);
      expect(await q.depth()).toEqual({ visible: 2, inFlight: 1, deadLetters: 0 });
      await q.changeVisibility(got[0]!.receipt, 0);
      expect(await q.depth()).toEqual({ visible: 3, inFlight: 0, deadLetters: 0 });
    });

    describe('consumer', () => {
      it("deletes a message whose handler returns 'done'", async () => {
        const q = await queue(3, 5);
        const ids = [await q.send('a'), await q.send('b'), await q.send('c')];
        const seen: QueueMessage[] = [];
        const errors: Error[] = [];
        const c = consume(
          q,
          { visibilitySeconds: 5, heartbeatSeconds: 2 },
          {
            handle: async (m) => {
              seen.push(m);
              return 'done';
            },
            onError: (e) => errors.push(e),
          },
        );
        c.start();
        expect(c.running).toBe(true);
        await until('3 handled', () => (seen.length >= 3 ? true : undefined));
        await c.stop();
        expect(c.running).toBe(false);
        expect(seen.map((m) => m.id).sort()).toEqual([...ids].sort());
        expect(seen.map((m) => m.body).sort()).toEqual(['a', 'b', 'c']);
        expect(seen.map((m) => m.receiveCount)).toEqual([1, 1, 1]);
        expect(errors).toEqual([]);
        expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 0 });
      });

      it('a throwing handler leaves the message to time out; after maxReceiveCount it is a dead letter', async () => {
        const q = await queue(2, 1);
        const id = await q.send('poison');
        const calls: [string, number][] = [];
        const errors: string[] = [];
        const c = consume(
          q,
          { visibilitySeconds: 1, heartbeatSeconds: 0.5 },
          {
            handle: async (m) => {
              calls.push([m.id, m.receiveCount]);
              throw new Error(`cannot handle ${m.body}`);
            },
            onError: (e) => errors.push(e.message),
          },
        );
        c.start();
        await until('the dead letter', async () => ((await q.depth()).deadLetters === 1 ? true : undefined));
        await c.stop();
        expect(calls).toEqual([
          [id, 1],
          [id, 2],
        ]);
        expect(errors).toEqual(['cannot handle poison', 'cannot handle poison']);
        expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 1 });
        if (env.deadLetterBodies) expect(await env.deadLetterBodies(q)).toEqual(['poison']);
      });

      it("the heartbeat keeps a slow handler's message invisible past visibilitySeconds", async () => {
        const q = await queue(3, 2);
        await q.send('slow');
        const calls: number[] = [];
        const duringHandler: QueueMessage[][] = [];
        const errors: Error[] = [];
        const c = consume(
          q,
          { visibilitySeconds: 2, heartbeatSeconds: 1 },
          {
            handle: async (m) => {
              calls.push(m.receiveCount);
              // 4.5 s: more than twice the visibility timeout; the test peeks at 3.5 s.
              await sleep(3_500);
              duringHandler.push(await q.receive());
              await sleep(1_000);
              return 'done';
            },
            onError: (e) => errors.push(e),
          },
        );
        c.start();
        await until('the slow message handled', async () => {
          const d = await q.depth();
          return calls.length === 1 && d.visible === 0 && d.inFlight === 0 ? true : undefined;
        });
        await c.stop();
        expect(calls).toEqual([1]);
        expect(duringHandler).toEqual([[]]);
        expect(errors).toEqual([]);
        expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 0 });
      });

      it("stop() aborts the handler's signal, waits for it, and a 'release' makes the message visible at once", async () => {
        const q = await queue(5, 30);
        const id = await q.send('in hand');
        let started = false;
        let abortedSeen = false;
        let finished = false;
        const c = consume(
          q,
          { visibilitySeconds: 30, heartbeatSeconds: 10 },
          {
            handle: async (_m, signal) => {
              started = true;
              await new Promise<void>((done) =>
                signal.addEventListener('abort', () => done(), { once: true }),
              );
              abortedSeen = signal.aborted;
              await sleep(200); // stop() must wait for this
              finished = true;
              return 'release';
            },
          },
        );
        c.start();
        await until('the handler started', () => (started ? true : undefined));
        await c.stop();
        expect(abortedSeen).toBe(true);
        expect(finished).toBe(true);
        expect(c.running).toBe(false);
        const again = await q.receive();
        expect(again.map((m) => [m.id, m.body, m.receiveCount])).toEqual([[id, 'in hand', 2]]);
      });

      it('onEmpty fires when a receive comes back empty; nothing is handled', async () => {
        const q = await queue();
        let empties = 0;
        let handled = 0;
        const c = consume(
          q,
          { visibilitySeconds: 5, heartbeatSeconds: 2 },
          {
            handle: async () => {
              handled++;
              return 'done';
            },
            onEmpty: () => {
              empties++;
            },
          },
        );
        c.start();
        await until('an empty receive', () => (empties >= 1 ? true : undefined));
        await c.stop();
        expect(handled).toBe(0);
        expect(empties).toBeGreaterThanOrEqual(1);
      });
    });

    it("reports the queue's configured visibility (what a worker consumes with by default)", async () => {
      expect(await (await queue(5, 7)).configuredVisibilitySeconds()).toBe(7);
    });

    describe('redrive', () => {
      it('dryRun counts the dead letters without moving; redrive moves them all back', async (ctx) => {
        if (!env.supportsRedrive) {
          process.stderr.write(`skipped: ${name} cannot redrive against its test backend\n`);
          ctx.skip();
        }
        const q = await queue(5, 30);
        for (const b of ['x', 'y']) await q.send(b);
        const dead = await q.receive({ max: 10 });
        for (const m of dead) await q.deadLetter(m, 'test');
        expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 2 });
        expect((await q.redrive({ dryRun: true })).moved).toBe(2);
        expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, deadLetters: 2 });
        expect((await q.redrive()).moved).toBe(2);
        await until('the messages back', async () => ((await q.depth()).visible === 2 ? true : undefined));
        expect(await q.depth()).toEqual({ visible: 2, inFlight: 0, deadLetters: 0 });
        const back = await q.receive({ max: 10 });
        expect(back.map((m) => m.body).sort()).toEqual(['x', 'y']);
        // As SQS's redrive: a moved message is a new message (new id, counted from its first receive again).
        const before = new Set(dead.map((m) => m.id));
        expect(back.filter((m) => before.has(m.id))).toEqual([]);
        expect(back.map((m) => m.receiveCount)).toEqual([1, 1]);
      });
    });
  },
);
