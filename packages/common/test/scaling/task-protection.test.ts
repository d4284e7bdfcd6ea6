/** Task scale-in protection through the agent endpoint, against its named stand-in on 127.0.0.1. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { taskProtectionFrom } from '../../src/scaling/task-protection.js';
import { type EcsAgentStandin, startEcsAgentStandin } from '../helpers/ecs-agent-standin.js';

let agent: EcsAgentStandin;
beforeAll(async () => {
  agent = await startEcsAgentStandin();
});
afterAll(async () => agent?.close());

it('outside ECS (no ECS_AGENT_URI) there is nothing to protect', () => {
  expect(taskProtectionFrom({})).toBeNull();
});

it('protects once while busy, clears when idle, and says why a call failed without throwing', async () => {
  const lines: string[] = [];
  const p = taskProtectionFrom(agent.env, { expiresInMinutes: 30, log: (l) => lines.push(l) })!;
  await p.busy();
  await p.busy(); // a second message while protected: no second call
  expect(agent.state.ProtectionEnabled).toBe(true);
  expect(p.protected).toBe(true);
  await p.idle();
  expect(agent.state.ProtectionEnabled).toBe(false);
  expect(agent.puts.map((x) => x.body)).toEqual([
    { ProtectionEnabled: true, ExpiresInMinutes: 30 },
    { ProtectionEnabled: false },
  ]);
  await p.idle(); // already clear: no call
  expect(agent.puts.length).toBe(2);

  agent.failNext(1);
  await p.busy();
  expect(p.protected).toBe(false);
  expect(lines).toEqual(['task scale-in protection on failed: not authorized to UpdateTaskProtection']);
  await p.busy();
  expect(agent.state.ProtectionEnabled).toBe(true);
  await p.close();
  expect(agent.state.ProtectionEnabled).toBe(false);
});
