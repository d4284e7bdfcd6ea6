/**
 * Helpers of the fleet tests: worker processes started by hand (`firm-worker` / `theme-worker --until-idle`, as
 * an operator would), rounds of them until the counters say the plan is done, and the counters read back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RunPlan } from '@callthemes/common/counters';
import { type FleetEvent, fleetSettingsFrom, openFleet, parseEventLine } from '@callthemes/common/fleet';
import { REPO_ROOT } from '@callthemes/common/testing/paths';
import { planStatus } from '../../src/fleet/plan-status.js';

/** Short timings so redelivery after a kill takes seconds, not the production 30 s. */
export const FAST = {
  CALLTHEMES_VISIBILITY_SECONDS: '2',
  CALLTHEMES_HEARTBEAT_SECONDS: '0.5',
  CALLTHEMES_WAIT_SECONDS: '1',
  CALLTHEMES_IDLE_SECONDS: '2',
};

const bin = (kind: 'firm-worker' | 'theme-worker') =>
  join(dirname(dirname(fileURLToPath(import.meta.resolve(`@callthemes/${kind}`)))), 'bin', `${kind}.js`);

export interface WorkerProcess {
  child: ChildProcess;
  events: FleetEvent[];
  /** Resolves with the exit code (128 + n for a signal). */
  exit: Promise<number>;
  onEvent(f: (e: FleetEvent) => void): void;
}

export function startWorker(
  kind: 'firm-worker' | 'theme-worker',
  env: Record<string, string>,
  args: string[] = ['--until-idle'],
): WorkerProcess {
  const child = spawn(process.execPath, [bin(kind), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CALLTHEMES_FROM_SOURCE: '1', ...FAST, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: FleetEvent[] = [];
  const listeners: ((e: FleetEvent) => void)[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const e = parseEventLine(line);
    if (!e) return;
    events.push(e);
    for (const f of listeners) f(e);
  });
  const exit = new Promise<number>((resolve) =>
    child.on('close', (code, signal) => {
      if (code !== 0 && code !== null && stderr) process.stderr.write(`${kind}: ${stderr.slice(-2000)}\n`);
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 0));
    }),
  );
  return { child, events, exit, onEvent: (f) => listeners.push(f) };
}

/** The plan's status from the local backend beside `lake`, or from the AWS one `env` names. */
export async function readStatus(lake: string, runId?: string, env?: Record<string, string>) {
  // The SDK reads its region and endpoints from the environment when it sends: set it for the read.
  const saved = { ...process.env };
  if (env) Object.assign(process.env, env);
  const fleet = await openFleet(
    env ? fleetSettingsFrom({ lake }) : fleetSettingsFrom({ backend: 'local', lake }),
  );
  try {
    const runs = await fleet.counters.listRuns();
    const plan = (runId ? runs.find((r) => r.runId === runId) : runs[0]) as RunPlan;
    return await planStatus(fleet, plan);
  } finally {
    await fleet.close();
    process.env = saved;
  }
}

/**
 * Rounds of two firm workers and one theme worker (`--until-idle`) until the plan is done; every event line they
 * printed is returned. Fails after `maxRounds`.
 */
export async function drain(
  lake: string,
  env: Record<string, string> = {},
  maxRounds = 8,
): Promise<FleetEvent[]> {
  const all: FleetEvent[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const ws = [
      startWorker('firm-worker', { CALLTHEMES_LAKE: lake, ...env }),
      startWorker('firm-worker', { CALLTHEMES_LAKE: lake, ...env }),
      startWorker('theme-worker', { CALLTHEMES_LAKE: lake, ...env }),
    ];
    const codes = await Promise.all(ws.map((w) => w.exit));
    for (const w of ws) all.push(...w.events);
    if (codes.some((c) => c !== 0)) throw new Error(`a worker exited with ${codes.join(', ')}`);
    if ((await readStatus(lake, undefined, env.CALLTHEMES_PARTITIONS_QUEUE_URL ? env : undefined)).done)
      return all;
  }
  throw new Error(`the plan was not done after ${maxRounds} rounds of workers`);
}
