#!/usr/bin/env node
/**
 * Where the time of `callthemes run` goes, for two builds of the CLI alternated (A B, B A, …): each output line
 * of the command is timestamped and the phases are read off the progress lines both builds print — workers
 * started, first firm done, firm stage done, themes done, sentiment done (the pool's own stage; the fleet labels
 * sentiment per firm), the summary, exit. Prints each phase's median seconds since the command started.
 *
 * Usage: node bench/fleet/cli-phases.mjs --a <bin.js> --b <bin.js> [--runs 3] -- <run args without --lake>
 * Extra environment for B only: --b-env NAME=VALUE (repeatable), e.g. --b-env CALLTHEMES_WAIT_SECONDS=1
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    runs: { type: 'string', default: '3' },
    'b-env': { type: 'string', multiple: true, default: [] },
  },
  allowPositionals: true,
});
if (!values.a || !values.b || positionals.length === 0) {
  process.stderr.write(
    'usage: node bench/fleet/cli-phases.mjs --a <bin.js> --b <bin.js> [--runs 3] -- <run args>\n',
  );
  process.exit(2);
}
const bEnv = Object.fromEntries(
  values['b-env'].map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);

/** The phases, each the first line matching its pattern. */
const PHASES = [
  ['workers started', /^started \d+ .*worker/],
  ['first firm', /^\S+ \d{4}Q\d: \d+ sentences, \d+ topics/],
  ['firm stage done', /^firm \d{4}Q\d: [\d,]+ firms, /],
  ['themes done', /^themes \d{4}Q\d: [\d,]+ firms, /],
  ['sentiment done', /^sentiment \d{4}Q\d: [\d,]+ firms, /],
  ['summary', /^run \S+: ok;/],
];

function runOnce(bin, env) {
  return new Promise((resolve, reject) => {
    const lake = mkdtempSync(join(tmpdir(), 'callthemes-phases-'));
    const t0 = performance.now();
    const at = {};
    const p = spawn(process.execPath, [bin, ...positionals, '--lake', lake], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    for (const s of [p.stdout, p.stderr])
      createInterface({ input: s }).on('line', (line) => {
        tail = `${tail}${line}\n`.slice(-2000);
        const t = (performance.now() - t0) / 1000;
        for (const [name, re] of PHASES) if (at[name] === undefined && re.test(line)) at[name] = t;
      });
    p.on('exit', (code) => {
      at.exit = (performance.now() - t0) / 1000;
      rmSync(lake, { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${bin} exited ${code}: ${tail}`));
      else resolve(at);
    });
  });
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const runs = { a: [], b: [] };
for (let i = 0; i < Number(values.runs); i++) {
  for (const which of i % 2 === 0 ? ['a', 'b'] : ['b', 'a']) {
    const at = await runOnce(values[which], which === 'b' ? bEnv : {});
    runs[which].push(at);
    process.stdout.write(
      `${which} run ${i + 1}: ${Object.entries(at)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ')}\n`,
    );
  }
}
process.stdout.write('phase (s since start, median)   A        B\n');
for (const name of [...PHASES.map(([n]) => n), 'exit']) {
  const col = (xs) => {
    const v = xs.map((x) => x[name]).filter((x) => x !== undefined);
    return v.length ? median(v).toFixed(2).padStart(7) : '      -';
  };
  process.stdout.write(`${name.padEnd(30)} ${col(runs.a)}  ${col(runs.b)}\n`);
}
