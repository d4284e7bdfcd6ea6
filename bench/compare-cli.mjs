#!/usr/bin/env node
/**
 * Wall time of `callthemes run` from two builds of the CLI on the same quarter, alternated (A B A B …) so both see
 * the same machine noise; each run into a fresh lake. Prints each build's median wall time, the ratio B/A, the
 * same for the CPU seconds of all the command's processes (with GNU time), and each run's counts (firms, topics,
 * themes) so a change that alters results shows.
 *
 * Usage: node bench/compare-cli.mjs --a <bin.js> --b <bin.js> [--runs 3] -- <run args without --lake>
 * e.g.  node bench/compare-cli.mjs --a ../before/bin/callthemes.js --b packages/producer/bin/callthemes.js \
 *         -- run --source ectsum --input ../shared/data/ectsum-sentences --quarters 2021Q2
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { a: { type: 'string' }, b: { type: 'string' }, runs: { type: 'string', default: '3' } },
  allowPositionals: true,
});
if (!values.a || !values.b || positionals.length === 0) {
  process.stderr.write(
    'usage: node bench/compare-cli.mjs --a <bin.js> --b <bin.js> [--runs 3] -- <run args>\n',
  );
  process.exit(2);
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const times = { a: [], b: [] };
const cpu = { a: [], b: [] };
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
for (let i = 0; i < Number(values.runs); i++) {
  // A B, then B A: neither build always runs right after the other (page cache, a neighbour's burst).
  for (const which of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
    const lake = mkdtempSync(join(tmpdir(), 'callthemes-compare-'));
    const t0 = performance.now();
    const cmd = [process.execPath, values[which], ...positionals, '--lake', lake];
    // GNU time reports the CPU of the command and of every process it waited for (the fleet's workers): on a
    // loaded machine CPU seconds hold where wall seconds swing 3×.
    const r = TIME
      ? spawnSync(TIME, ['-f', 'cpu %U %S', ...cmd], { encoding: 'utf8' })
      : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    rmSync(lake, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`${which} failed (${r.status}): ${r.stderr.slice(-500)}`);
    times[which].push(seconds);
    const usage = r.stderr.match(/^cpu ([\d.]+) ([\d.]+)$/m);
    if (usage) cpu[which].push(Number(usage[1]) + Number(usage[2]));
    const counts = r.stdout.match(/(\d+) firms \(\d+ rejected\), \d+ sentences, (\d+) topics, (\d+) themes/);
    process.stdout.write(
      `${which} run ${i + 1}: ${seconds.toFixed(2)} s${usage ? `, ${cpu[which].at(-1).toFixed(1)} CPU s` : ''}; ${counts ? counts[0] : '?'}\n`,
    );
  }
}
const [ma, mb] = [median(times.a), median(times.b)];
const min = (xs) => Math.min(...xs);
// Per-pair ratios too: each pair ran back to back, so its ratio sees the same neighbours.
const pairs = times.a.map((a, i) => times.b[i] / a);
process.stdout.write(
  `median A ${ma.toFixed(2)} s, B ${mb.toFixed(2)} s, B/A ${(mb / ma).toFixed(3)}; ` +
    `min A ${min(times.a).toFixed(2)} s, B ${min(times.b).toFixed(2)} s, B/A ${(min(times.b) / min(times.a)).toFixed(3)}; ` +
    `median of pair ratios ${median(pairs).toFixed(3)}\n`,
);
if (cpu.a.length && cpu.b.length) {
  const [ca, cb] = [median(cpu.a), median(cpu.b)];
  process.stdout.write(
    `median CPU (user+sys, all processes) A ${ca.toFixed(1)} s, B ${cb.toFixed(1)} s, B/A ${(cb / ca).toFixed(3)}\n`,
  );
}
