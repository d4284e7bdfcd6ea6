/**
 * 20 processes complete the 20 partitions of a quarter at the same moment, then 20 processes finish the quarter at
 * the same moment: on both counters adapters exactly one sends the theme message and exactly one enqueues the next
 * quarter (the queues hold exactly one message each).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'vitest';
import { type Fleet, fleetSettingsFrom, openFleet } from '../../src/fleet/index.js';
import { useAwsFleetEmulator } from '../helpers/aws-fleet-emulator.js';
import { runNode } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/paths.js';

const N = 20;
const fixture = join(import.meta.dirname, 'race-process.ts');
const register = join(REPO_ROOT, 'packages', 'common', 'register-source.mjs');

async function racer(env: Record<string, string>): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await runNode(['--import', register, fixture], { env });
  if (code !== 0) throw new Error(`racer ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

async function race(fleet: Fleet, env: Record<string, string>): Promise<void> {
  await fleet.counters.putPlan({
    runId: 'race',
    quarters: ['2021Q1', '2021Q2'],
    settingsHash: 'h',
    settings: {},
    createdAt: new Date().toISOString(),
  });
  await fleet.counters.setExpected('race', '2021Q1', N, N);
  // Processes start in ~1 s each here; all wait for one moment after the last has surely started.
  const startAt = () => String(Date.now() + 8000);
  const at1 = startAt();
  const completes = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      racer({ ...env, RACE_ROLE: 'complete', RACE_INDEX: String(i), RACE_START_AT: at1 }),
    ),
  );
  assert.equal(completes.filter((r) => r.themeSent).length, 1, JSON.stringify(completes));
  assert.deepEqual(
    completes.map((r) => r.done).sort((a, b) => Number(a) - Number(b)),
    Array.from({ length: N }, (_, i) => i + 1),
  );
  assert.equal((await fleet.themes.depth()).visible, 1);
  const at2 = startAt();
  const finishes = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      racer({ ...env, RACE_ROLE: 'finish', RACE_INDEX: String(i), RACE_START_AT: at2 }),
    ),
  );
  assert.deepEqual(
    finishes.filter((r) => r.next !== null).map((r) => r.next),
    ['2021Q2'],
  );
  const got = await fleet.partitions.receive({ max: 10, waitSeconds: 1 });
  assert.equal(got.length, 1);
  assert.match(got[0].body, /^next 2021Q2 by racer-finish-\d+$/);
  const st = await fleet.counters.quarterState('race', '2021Q1');
  assert.deepEqual(st.flags, {
    themeEnqueued: { claimed: true, sent: true },
    nextEnqueued: { claimed: true, sent: true },
  });
  assert.equal(st.themed, true);
}

describe('20 racing processes, one handoff each', () => {
  const { dir, needsMoto, start } = useAwsFleetEmulator('callthemes-race-');

  test('local counters (one SQLite file)', async () => {
    const lake = join(dir.path, 'lake');
    const fleet = await openFleet(fleetSettingsFrom({ backend: 'local', lake }));
    try {
      await race(fleet, { CALLTHEMES_LAKE: lake, CALLTHEMES_PARTITIONS_QUEUE_URL: '' });
    } finally {
      await fleet.close();
    }
  });

  test('DynamoDB counters and SQS (moto)', needsMoto, async () => {
    const { aws } = await start();
    // The SDK reads endpoints from the environment when it sends: keep it set for the test's own client.
    const saved = { ...process.env };
    Object.assign(process.env, aws.env);
    const fleet = await openFleet(fleetSettingsFrom());
    try {
      await race(fleet, aws.env);
    } finally {
      await fleet.close();
      process.env = saved;
    }
  });
});
