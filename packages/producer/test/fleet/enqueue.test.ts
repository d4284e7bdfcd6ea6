/**
 * `producer enqueue` / `status` as an operator types them: the card's plain `enqueue --quarter 2021Q2` with source,
 * input and lake from the config file; `--then` chaining; enqueueing the same plan twice adds nothing; another
 * plan under a used run id is refused; bad flags exit 2 with the reason.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@callthemes/common/testing/cli';
import { EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, test } from 'vitest';
import { drain, readStatus } from './fleet-helpers.js';

const dir = tempDir('callthemes-enqueue-');
afterAll(() => dir.cleanup());

test('plain `enqueue --quarter 2021Q2` reads source, input and lake from callthemes.config.json; one quarter, no chaining', async () => {
  const cwd = join(dir.path, 'project');
  mkdirSync(cwd, { recursive: true });
  const lake = join(cwd, 'lake');
  writeFileSync(
    join(cwd, 'callthemes.config.json'),
    JSON.stringify({ source: 'ectsum', input: EXAMPLES_ECTSUM, lake, firms: 6, partitionSize: 4 }),
  );
  const r = await runCli(['enqueue', '--quarter', '2021Q2'], {}, cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^run run-[0-9a-f]{12}: 2021Q2; 2021Q2: 6 firms in 2 partition\(s\), 2 sent now \(0 earlier\)$/m,
  );
  const again = await runCli(['enqueue', '--quarter', '2021Q2'], {}, cwd);
  assert.match(again.stdout, /0 sent now \(2 earlier\)/, 'the same plan twice adds nothing');
  const status = await runCli(['status'], {}, cwd);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /2021Q2 {2}partitions 0\/2 /);
  assert.match(status.stdout, /queue partitions: 2 visible, 0 in flight, 0 dead letters/);
  await drain(lake);
  const s = await readStatus(lake);
  assert.deepEqual(s.plan.quarters, ['2021Q2']);
  assert.deepEqual(
    [s.done, s.quarters[0].firmsOk, s.quarters[0].flags.nextEnqueued.claimed],
    [true, 6, false],
  );
});

test('--then chains the run on; a used run id with another plan is refused; bad flags exit 2', async () => {
  const lake = join(dir.path, 'then');
  const base = ['enqueue', '--source', 'ectsum', '--input', EXAMPLES_ECTSUM, '--lake', lake, '--firms', '3'];
  const r = await runCli([...base, '--quarter', '2021Q1', '--then', '2021Q2', '--run-id', 'chain']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^run chain: 2021Q1, 2021Q2; 2021Q1: 3 firms in 1 partition\(s\), 1 sent now/m);
  const other = await runCli([...base, '--quarter', '2021Q2', '--run-id', 'chain']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /run chain already exists with other settings/);
  const cases: [string[], RegExp][] = [
    [['--quarter', '2021Q5'], /2021Q5/],
    [['--quarter', '2021Q1', '--quarters', '2021Q1..2021Q2'], /give --quarter or --quarters, not both/],
    [['--quarters', '2021Q1', '--then', '2021Q2'], /--then goes with --quarter/],
    [['--quarter', '2021Q1', '--partition-size', '0'], /partitionSize/],
    [['--quarter', '2021Q1', '--backend', 'gcp'], /--backend/],
  ];
  for (const [extra, re] of cases) {
    const bad = await runCli([...base, ...extra]);
    assert.equal(bad.code, 2, `${extra.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, re);
  }
  const help = await runCli(['enqueue', '--help']);
  assert.match(help.stdout, /Example:\n {2}pnpm producer enqueue --quarter 2021Q2/);
  await drain(lake);
  const s = await readStatus(lake, 'chain');
  assert.deepEqual(
    s.quarters.map((q) => [q.quarter, q.firmsOk, q.themed]),
    [
      ['2021Q1', 3, true],
      ['2021Q2', 3, true],
    ],
  );
});
