/**
 * Empty quarters inside a plan (issue 29): 2021Q1 … 2021Q4 where 2021Q2 has no calls and every firm of 2021Q3 is
 * rejected. Each is recorded as themed and empty, the plan chains on to 2021Q4, and 2021Q4's lineage links to
 * 2021Q1 (the last quarter with themes) — on the local backend (`callthemes run`) and on the AWS adapters (SQS +
 * DynamoDB on moto, worker processes by hand).
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fleetSettingsFrom, openFleet, readRunRecords } from '@callthemes/common/fleet';
import { LocalLakeStore, openStore } from '@callthemes/common/lake';
import { createSource } from '@callthemes/common/sources';
import { useAwsFleetEmulator } from '@callthemes/common/testing/aws-fleet-emulator';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { sampleSettings } from '@callthemes/common/testing/local-fleet';
import { EXAMPLES_ECTSUM } from '@callthemes/common/testing/paths';
import { test } from 'vitest';
import { enqueuePlan } from '../../src/fleet/enqueue-plan.js';
import type { PlanRequest } from '../../src/fleet/plan-options.js';
import { drain, FAST, readStatus } from './fleet-helpers.js';

const { dir, needsMoto, start } = useAwsFleetEmulator('callthemes-empty-quarter-', {
  visibilitySeconds: 2,
  env: FAST,
});

/** 12 sample firms in 2021Q1, none in 2021Q2, 3 firms whose calls hold no usable sentence in 2021Q3, 12 in 2021Q4. */
const input = join(dir.path, 'input');
mkdirSync(input);
const tickers = [
  ...new Set(
    readdirSync(EXAMPLES_ECTSUM)
      .filter((f) => f.endsWith('.txt'))
      .map((f) => f.split('_')[0]),
  ),
].slice(0, 12);
for (const t of tickers) {
  copyFileSync(join(EXAMPLES_ECTSUM, `${t}_q1_2021.txt`), join(input, `${t}_q1_2021.txt`));
  copyFileSync(join(EXAMPLES_ECTSUM, `${t}_q2_2021.txt`), join(input, `${t}_q4_2021.txt`));
}
for (const t of tickers.slice(0, 3)) writeFileSync(join(input, `${t}_q3_2021.txt`), 'Thank you.\nOkay.\n');

const plan = ['--partition-size', '4', '--flush-every', '2'];
const QUARTERS = ['2021Q1', '2021Q2', '2021Q3', '2021Q4'];

async function assertChained(lake: string, env?: Record<string, string>) {
  const s = await readStatus(lake, undefined, env);
  assert.equal(s.done, true);
  assert.deepEqual(
    s.quarters.map((q) => [q.quarter, q.expected, q.firmsOk, q.firmsRejected, q.themed]),
    [
      ['2021Q1', 3, 12, 0, true],
      ['2021Q2', 0, 0, 0, true],
      ['2021Q3', 1, 0, 3, true],
      ['2021Q4', 3, 12, 0, true],
    ],
  );
  for (const q of s.quarters.slice(0, 3)) assert.ok(q.flags.nextEnqueued.sent, `${q.quarter} chained on`);
  const store = new LocalLakeStore(lake);
  const { themes } = await readRunRecords(store, s.plan.runId);
  const byQuarter = new Map(themes.map((r) => [r.quarter, r]));
  assert.deepEqual(
    QUARTERS.map((q) => [q, byQuarter.get(q)?.empty ?? false, byQuarter.get(q)?.themes === 0]),
    [
      ['2021Q1', false, false],
      ['2021Q2', true, true],
      ['2021Q3', true, true],
      ['2021Q4', false, false],
    ],
  );
  // The empty quarters leave no theme manifest, so 2021Q4 links to 2021Q1's themes.
  for (const q of ['2021Q2', '2021Q3'])
    assert.equal(await store.exists(`_manifests/quarter=${q}/themes-batch-0000.json`), false);
  const q4 = JSON.parse((await store.getText('_manifests/quarter=2021Q4/themes-batch-0000.json'))!);
  assert.equal(q4.previousQuarter, '2021Q1');
  const status = await runCli(['status', '--lake', lake, ...(env ? ['--backend', 'aws'] : [])], env);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /: done\n/);
  assert.match(status.stdout, /2021Q2 {2}partitions 0\/0 .* themed: empty/);
  assert.match(status.stdout, /2021Q3 {2}partitions 1\/1 .* 3 rejected {3}themed: empty/);
  assert.match(status.stdout, /2021Q4 {2}partitions 3\/3 .* themed: \d+ themes/);
}

test('local run: an empty quarter and an all-rejected quarter are recorded empty and the plan chains on', async () => {
  const lake = join(dir.path, 'local');
  const r = await runCli(ectsumArgs('run', '2021Q1..2021Q4', lake, plan, input));
  assert.equal(r.code, 0, r.stderr);
  await assertChained(lake);
});

test('AWS adapters: the same plan on SQS + DynamoDB with workers by hand', needsMoto, async () => {
  const { lake, env } = await start('aws');
  // `producer enqueue --backend aws` uploads a local --input to the lake's bucket, and this lake is a folder:
  // the plan is enqueued in this process instead, with the same enqueuePlan the command runs.
  const sourceOptions = { kind: 'ectsum', input };
  const request: PlanRequest = {
    quarters: QUARTERS,
    runId: 'empty-aws',
    sourceOptions,
    settings: sampleSettings({ firms: 12, partitionSize: 4, flushEvery: 2, input }),
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const fleet = await openFleet(fleetSettingsFrom({ lake }));
    const src = await createSource(sourceOptions);
    try {
      await enqueuePlan({ fleet, store: openStore(lake), source: src }, request);
    } finally {
      await fleet.close();
    }
  } finally {
    process.env = saved;
  }
  await drain(lake, env);
  await assertChained(lake, env);
});
