#!/usr/bin/env node
/**
 * The partition-size sweep of the local fleet: `callthemes run` (the built CLI, K firm workers) on one quarter
 * for each partition size, median wall time of several runs, each into a fresh lake; then, with --kill, one run
 * per size in which one firm-worker process is SIGKILLed after N firm lines, counting the firms done twice (firm
 * lines minus distinct firms) and the wall time it added. The kill lands mid-partition: everything the killed
 * worker did on its partition is redone by whoever receives the message again once its visibility ends.
 *
 * Per-firm cost: worker-seconds per firm = (firm phase wall × K) / firms, from the no-kill runs; the expected
 * redo of a kill at a random moment is P/2 firms × that.
 *
 * Usage: node bench/fleet/partition-sweep.mjs --input <ectsum dir> [--bin packages/producer/bin/callthemes.js]
 *          [--quarter 2021Q2] [--sizes 10,25,50,100,200] [--concurrency 2] [--runs 3]
 *          [--kill] [--kill-after 150] [--kill-env CALLTHEMES_VISIBILITY_SECONDS=6]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    bin: { type: 'string', default: 'packages/producer/bin/callthemes.js' },
    input: { type: 'string' },
    quarter: { type: 'string', default: '2021Q2' },
    sizes: { type: 'string', default: '10,25,50,100,200' },
    concurrency: { type: 'string', default: '2' },
    runs: { type: 'string', default: '3' },
    kill: { type: 'boolean', default: false },
    'kill-after': { type: 'string', default: '150' },
    'kill-env': { type: 'string', multiple: true, default: [] },
  },
});
if (!values.input) {
  process.stderr.write('usage: node bench/fleet/partition-sweep.mjs --input <ectsum dir> [options]\n');
  process.exit(2);
}
const K = Number(values.concurrency);
const sizes = values.sizes.split(',').map(Number);
const killEnv = Object.fromEntries(
  values['kill-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const FIRM_LINE = /^(\S+) (\d{4}Q\d): \d+ sentences, \d+ topics, ([\d.]+) s$/;
const PHASES = [
  ['started', /^started \d+ firm worker/],
  ['firstFirm', FIRM_LINE],
  ['firmsDone', /^firm \d{4}Q\d: [\d,]+ firms, /],
  ['themesDone', /^themes \d{4}Q\d: [\d,]+ firms, /],
];

/** The live firm-worker children of a process. */
function firmWorkerPids(parent) {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(parent)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().match(/^(\d+)\s+(.*)$/))
    .filter((m) => m?.[2].includes('firm-worker'))
    .map((m) => Number(m[1]));
}

function runOnce(size, kill) {
  return new Promise((resolve, reject) => {
    const lake = mkdtempSync(join(tmpdir(), 'callthemes-sweep-'));
    const args = [
      values.bin,
      'run',
      '--source',
      'ectsum',
      '--input',
      values.input,
      '--quarters',
      values.quarter,
    ];
    args.push('--partition-size', String(size), '--concurrency', String(K), '--lake', lake);
    const t0 = performance.now();
    const now = () => (performance.now() - t0) / 1000;
    const p = spawn(process.execPath, args, {
      env: { ...process.env, ...(kill ? killEnv : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const at = {};
    const firms = new Map();
    let lines = 0;
    let partitions = null;
    let killedAt = null;
    let tail = '';
    for (const s of [p.stdout, p.stderr])
      createInterface({ input: s }).on('line', (line) => {
        tail = `${tail}${line}\n`.slice(-3000);
        for (const [name, re] of PHASES) if (at[name] === undefined && re.test(line)) at[name] = now();
        const parts = line.match(/ has \d+ firms in (\d+) partition/);
        if (parts) partitions = Number(parts[1]);
        const f = line.match(FIRM_LINE);
        if (!f) return;
        lines++;
        firms.set(f[1], (firms.get(f[1]) ?? 0) + 1);
        if (kill && killedAt === null && lines >= Number(values['kill-after'])) {
          const [pid] = firmWorkerPids(p.pid);
          if (pid) {
            process.kill(pid, 'SIGKILL');
            killedAt = now();
          }
        }
      });
    p.on('exit', (code) => {
      const wall = now();
      rmSync(lake, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`run P=${size} exited ${code}: ${tail}`));
      resolve({ wall, at, lines, distinct: firms.size, partitions, killedAt });
    });
  });
}

console.log(
  `${values.quarter}, ${values.bin}, K=${K}, sizes ${values.sizes}, ${values.runs} run(s) each` +
    (values.kill
      ? `; one kill per size after ${values['kill-after']} firm lines ${JSON.stringify(killEnv)}`
      : ''),
);
// Round-robin (every size once per round, then the next round): a noisy minute on a shared machine hits one run of
// several sizes instead of every run of one size.
const bySize = new Map(sizes.map((size) => [size, []]));
for (let r = 0; r < Number(values.runs); r++) {
  for (const size of sizes) {
    const out = await runOnce(size, false);
    bySize.get(size).push(out);
    console.log(
      `P=${size} run ${r + 1}: ${out.wall.toFixed(2)} s; ${out.partitions} partitions; ` +
        Object.entries(out.at)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(', '),
    );
  }
}
const results = [];
for (const size of sizes) {
  const runs = bySize.get(size);
  const wall = median(runs.map((x) => x.wall));
  const firmPhase = median(runs.map((x) => x.at.firmsDone - x.at.firstFirm));
  const firms = runs[0].distinct;
  const workerSecondsPerFirm = (firmPhase * K) / firms;
  results.push({
    size,
    partitions: runs[0].partitions,
    wall,
    startUp: median(runs.map((x) => x.at.firstFirm - x.at.started)),
    firmPhase,
    themePhase: median(runs.map((x) => x.at.themesDone - x.at.firmsDone)),
    workerSecondsPerFirm,
    expectedRedoFirms: size / 2,
    expectedRedoSeconds: (size / 2) * workerSecondsPerFirm,
  });
}
if (values.kill) {
  for (const row of results) {
    const k = await runOnce(row.size, true);
    row.kill = {
      wall: k.wall,
      killedAt: k.killedAt,
      redoneFirms: k.lines - k.distinct,
      extraWall: k.wall - row.wall,
    };
    console.log(
      `P=${row.size} kill run: ${k.wall.toFixed(2)} s; killed at ${k.killedAt?.toFixed(2)} s after ${values['kill-after']} ` +
        `firm lines; ${k.lines} firm lines for ${k.distinct} firms: ${k.lines - k.distinct} redone`,
    );
  }
}

console.log(
  '\nP    parts  wall_s  start_s  firm_s  theme_s  worker_s/firm  exp_redo_firms  exp_redo_s' +
    (values.kill ? '  kill_wall_s  redone_firms  extra_wall_s' : ''),
);
for (const r of results)
  console.log(
    `${String(r.size).padEnd(4)} ${String(r.partitions).padStart(5)}  ${r.wall.toFixed(2).padStart(6)}  ` +
      `${r.startUp.toFixed(2).padStart(7)}  ${r.firmPhase.toFixed(2).padStart(6)}  ${r.themePhase.toFixed(2).padStart(7)}  ` +
      `${r.workerSecondsPerFirm.toFixed(4).padStart(13)}  ${r.expectedRedoFirms.toFixed(1).padStart(14)}  ` +
      `${r.expectedRedoSeconds.toFixed(2).padStart(10)}` +
      (r.kill
        ? `  ${r.kill.wall.toFixed(2).padStart(11)}  ${String(r.kill.redoneFirms).padStart(12)}  ${r.kill.extraWall.toFixed(2).padStart(12)}`
        : ''),
  );
