/**
 * The Counters contract, asserted the same way on every adapter (DynamoDB on moto, SQLite): idempotent and
 * first-wins writes, and exactly-once claims under concurrency.
 */
import { expect, it } from 'vitest';
import {
  type CompletionResult,
  type Counters,
  QUARTER_FLAGS,
  type RunPlan,
} from '../../src/counters/counters.js';
import { contractSuite } from '../helpers/contract.js';

export interface CountersContractEnv {
  /** Fresh, empty counters for one test. */
  makeCounters(): Promise<Counters>;
  teardown(): Promise<void>;
}

const plan = (runId: string, createdAt: string, extra: Partial<RunPlan> = {}): RunPlan => ({
  runId,
  quarters: ['2023Q4', '2024Q1', '2024Q2'],
  settingsHash: `hash-${runId}`,
  settings: { minFirms: 3, model: 'e5-small', nested: { k: [1, 2] } },
  createdAt,
  ...extra,
});

const noFlags = { claimed: false, sent: false };

/** What completePartition should return, field by field. */
const completion = (
  newlyCompleted: boolean,
  done: number,
  expected: number | null,
  quarterComplete: boolean,
): CompletionResult => ({ newlyCompleted, done, expected, quarterComplete });

export const describeCountersContract = contractSuite('Counters contract', (env: CountersContractEnv) => {
  it('putPlan records a plan once: a second put returns the first unchanged', async () => {
    const c = await env.makeCounters();
    const first = plan('r1', '2026-12-01T10:00:00.000Z');
    expect(await c.putPlan(first)).toEqual(first);
    const other = plan('r1', '2026-12-02T10:00:00.000Z', { settingsHash: 'other', quarters: ['2020Q1'] });
    expect(await c.putPlan(other)).toEqual(first);
    expect(await c.getPlan('r1')).toEqual(first);
    expect(await c.getPlan('absent')).toBeNull();
  });

  it('listRuns returns every plan, newest first, and no quarter items', async () => {
    const c = await env.makeCounters();
    expect(await c.listRuns()).toEqual([]);
    const a = plan('ra', '2026-12-01T10:00:00.000Z');
    const b = plan('rb', '2026-12-03T10:00:00.000Z');
    const m = plan('rm', '2026-12-02T10:00:00.000Z');
    for (const p of [a, b, m]) await c.putPlan(p);
    await c.setExpected('ra', '2023Q4', 4, 40);
    await c.completePartition('rb', '2024Q1', 0, { ok: 1, rejected: 0 });
    expect(await c.listRuns()).toEqual([b, m, a]);
  });

  it('setExpected: the first value stays', async () => {
    const c = await env.makeCounters();
    expect(await c.setExpected('r', '2024Q1', 5, 48)).toEqual({ expected: 5, firms: 48 });
    expect(await c.setExpected('r', '2024Q1', 9, 90)).toEqual({ expected: 5, firms: 48 });
    const st = await c.quarterState('r', '2024Q1');
    expect(st.expected).toBe(5);
    expect(st.firms).toBe(48);
    // Another quarter of the same run is independent.
    expect(await c.setExpected('r', '2024Q2', 2, 11)).toEqual({ expected: 2, firms: 11 });
  });

  it('completePartition is idempotent; the quarter is complete exactly when done === expected', async () => {
    const c = await env.makeCounters();
    await c.setExpected('r', 'Q', 3, 30);
    const complete = (partition: number, ok: number, rejected: number) =>
      c.completePartition('r', 'Q', partition, { ok, rejected });
    expect(await complete(2, 9, 1)).toEqual(completion(true, 1, 3, false));
    expect(await complete(2, 9, 1)).toEqual(completion(false, 1, 3, false));
    expect(await complete(0, 10, 0)).toEqual(completion(true, 2, 3, false));
    expect(await complete(1, 7, 3)).toEqual(completion(true, 3, 3, true));
    // A redelivery after completion still reports the quarter complete, but not newly.
    expect(await complete(1, 7, 3)).toEqual(completion(false, 3, 3, true));
    const st = await c.quarterState('r', 'Q');
    expect(st.done).toEqual([0, 1, 2]);
    expect(st.firmsOk).toBe(26);
    expect(st.firmsRejected).toBe(4);
    expect(typeof st.lastCompletedAt).toBe('string');
    expect(Number.isNaN(Date.parse(st.lastCompletedAt!))).toBe(false);
  });

  it('completePartition before setExpected: expected null, never complete', async () => {
    const c = await env.makeCounters();
    expect(await c.completePartition('r', 'early', 0, { ok: 1, rejected: 0 })).toEqual(
      completion(true, 1, null, false),
    );
    await c.setExpected('r', 'early', 1, 1);
    expect(await c.completePartition('r', 'early', 0, { ok: 1, rejected: 0 })).toEqual(
      completion(false, 1, 1, true),
    );
  });

  it('claim is won once per flag and quarter; only its owner (a redelivery) holds it again', async () => {
    const c = await env.makeCounters();
    expect(await c.claim('r', 'Q', 'themeEnqueued', 'owner-a')).toBe(true);
    expect(await c.claim('r', 'Q', 'themeEnqueued', 'owner-b')).toBe(false);
    expect(await c.claim('r', 'Q', 'themeEnqueued', 'owner-a')).toBe(true);
    expect(await c.claim('r', 'Q', 'themeEnqueued', 'owner-b')).toBe(false);
    expect(await c.claim('r', 'Q', 'nextEnqueued', 'owner-a')).toBe(true);
    expect(await c.claim('r', 'Q2', 'themeEnqueued', 'owner-a')).toBe(true);
    const st = await c.quarterState('r', 'Q');
    expect(st.flags).toEqual({
      themeEnqueued: { claimed: true, sent: false },
      nextEnqueued: { claimed: true, sent: false },
    });
  });

  it('20 concurrent claims of one flag: exactly one wins', async () => {
    const c = await env.makeCounters();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => c.claim('r', 'Q', 'nextEnqueued', `owner-${i}`)),
    );
    expect(results.filter((x) => x).length).toBe(1);
    expect(results.filter((x) => !x).length).toBe(19);
  });

  it('50 concurrent completions of distinct partitions: done 50, one of them completes the quarter', async () => {
    const c = await env.makeCounters();
    await c.setExpected('r', 'Q', 50, 500);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => c.completePartition('r', 'Q', i, { ok: 10, rejected: i % 2 })),
    );
    expect(results.every((r) => r.newlyCompleted)).toBe(true);
    expect(results.map((r) => r.done).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(results.filter((r) => r.quarterComplete).length).toBe(1);
    const st = await c.quarterState('r', 'Q');
    expect(st.done).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(st.firmsOk).toBe(500);
    expect(st.firmsRejected).toBe(25);
  });

  it('markThemed records a themed quarter once; it is no flag', async () => {
    const c = await env.makeCounters();
    expect((await c.quarterState('r', 'Q')).themed).toBe(false);
    await c.markThemed('r', 'Q');
    await c.markThemed('r', 'Q');
    const st = await c.quarterState('r', 'Q');
    expect([st.themed, st.flags.themeEnqueued, st.flags.nextEnqueued]).toEqual([true, noFlags, noFlags]);
    expect((await c.quarterState('r', 'Q2')).themed).toBe(false);
  });

  it('markSent and markPartitionSent are idempotent', async () => {
    const c = await env.makeCounters();
    expect(await c.claim('r', 'Q', 'themeEnqueued', 'owner-a')).toBe(true);
    await c.markSent('r', 'Q', 'themeEnqueued');
    await c.markSent('r', 'Q', 'themeEnqueued');
    await c.markPartitionSent('r', 'Q', 3);
    await c.markPartitionSent('r', 'Q', 3);
    await c.markPartitionSent('r', 'Q', 0);
    const st = await c.quarterState('r', 'Q');
    expect(st.sent).toEqual([0, 3]);
    expect(st.done).toEqual([]);
    expect(st.flags).toEqual({
      themeEnqueued: { claimed: true, sent: true },
      nextEnqueued: noFlags,
    });
  });

  it('quarterState of an unknown quarter: nothing recorded', async () => {
    const c = await env.makeCounters();
    expect(await c.quarterState('nobody', '1999Q1')).toEqual({
      quarter: '1999Q1',
      expected: null,
      firms: null,
      done: [],
      sent: [],
      firmsOk: 0,
      firmsRejected: 0,
      flags: Object.fromEntries(QUARTER_FLAGS.map((f) => [f, noFlags])),
      themed: false,
      lastCompletedAt: null,
    });
  });
});
