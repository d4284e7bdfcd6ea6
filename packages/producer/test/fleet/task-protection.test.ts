/**
 * Scale-in protection (issue 26, item 5): a firm worker process on "ECS" (ECS_AGENT_URI pointing at the agent
 * endpoint's named stand-in) protects its task when it takes a partition, is still protected when it reports the
 * partition done, and clears the protection once a receive finds the queue empty.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { type EcsAgentStandin, startEcsAgentStandin } from '@callthemes/common/testing/ecs-agent-standin';
import { tempDir } from '@callthemes/common/testing/paths';
import { afterAll, test } from 'vitest';
import { FAST, startWorker } from './fleet-helpers.js';

const dir = tempDir('callthemes-protect-');
let agent: EcsAgentStandin | null = null;
afterAll(async () => {
  await agent?.close();
  dir.cleanup();
});

test('a worker is protected from scale-in while it holds a partition, and released when idle', async () => {
  agent = await startEcsAgentStandin();
  const lake = join(dir.path, 'lake');
  const e = await runCli(
    ectsumArgs('enqueue', '2021Q1', lake, ['--firms', '3', '--partition-size', '3']),
    FAST,
  );
  assert.equal(e.code, 0, e.stderr);
  const w = startWorker('firm-worker', { CALLTHEMES_LAKE: lake, ...agent.env });
  const protectedAtDone: boolean[] = [];
  w.onEvent((x) => {
    if (x.event === 'partition') protectedAtDone.push(agent!.state.ProtectionEnabled);
  });
  assert.equal(await w.exit, 0);
  assert.deepEqual(protectedAtDone, [true], 'protected while the partition was in hand');
  assert.deepEqual(
    agent.puts.map((p) => p.body.ProtectionEnabled),
    [true, false],
    'protected once, released once',
  );
  assert.equal(agent.state.ProtectionEnabled, false);
});
