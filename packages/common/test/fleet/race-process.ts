/**
 * One light racer of handoff-race.test.ts, a process of its own: waits for the common start moment, then either
 * completes its partition of 2021Q1 (`complete`) or finishes the quarter (`finish`, the theme worker's handoff),
 * and prints what it did as one JSON line. The fleet comes from the environment (local or AWS), as a worker's does.
 */
import { fleetSettingsFrom, openFleet } from '../../src/fleet/open-fleet.js';
import { completePartition, finishQuarter } from '../../src/fleet/quarter-flags.js';

const role = process.env.RACE_ROLE;
const index = Number(process.env.RACE_INDEX);
const startAt = Number(process.env.RACE_START_AT);
const fleet = await openFleet(fleetSettingsFrom());
const plan = await fleet.counters.getPlan('race');
if (!plan) throw new Error('no plan "race"');
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
const owner = `racer-${role}-${index}`;
if (role === 'complete') {
  const c = await completePartition(fleet, plan, '2021Q1', index, { ok: 1, rejected: 0 }, owner);
  process.stdout.write(`${JSON.stringify({ index, themeSent: c.themeSent, done: c.done })}\n`);
} else {
  const next = await finishQuarter(
    fleet,
    plan,
    '2021Q1',
    async (q) => {
      await fleet.partitions.send(`next ${q} by ${owner}`);
    },
    owner,
  );
  process.stdout.write(`${JSON.stringify({ index, next })}\n`);
}
await fleet.close();
