/**
 * Ingest speed: Motley JSON calls per second through the whole firm stage without topics (read, parse, split,
 * filter, write Parquet), against a baseline that only reads and parses the same files.
 * Usage: taskset -c 0 node --import @callthemes/common/register-source bench/ingest.ts [--quarter 2021Q2] [--runs 3]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalLakeStore } from '@callthemes/common/lake';
import { MotleyJsonSource } from '@callthemes/common/sources';
import { MOTLEY_DIR, tempDir } from '@callthemes/common/testing/paths';
import { runFirmStage } from '@callthemes/firm-worker';

const { values } = parseArgs({
  options: { quarter: { type: 'string', default: '2021Q2' }, runs: { type: 'string', default: '3' } },
});
const quarter = values.quarter!;
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const source = new MotleyJsonSource(MOTLEY_DIR);
const { firms } = await source.listFirms(quarter);
console.log(`${quarter}: ${firms.length} Motley JSON calls; ${runs} runs each`);

const baseline: number[] = [];
const full: number[] = [];
let sentences = 0;
for (let r = 0; r < runs; r++) {
  let t = performance.now();
  for (const f of firms) JSON.parse(await readFile(join(MOTLEY_DIR, f.sourceRef), 'utf8'));
  baseline.push((performance.now() - t) / 1000);

  const dir = tempDir('callthemes-bench-');
  t = performance.now();
  const res = await runFirmStage({
    store: new LocalLakeStore(dir.path),
    source: new MotleyJsonSource(MOTLEY_DIR),
    quarter,
    batch: 0,
    batchSize: firms.length,
    runId: 'bench',
    flushEvery: 50,
    filter: { minTokens: 5 },
  });
  full.push((performance.now() - t) / 1000);
  sentences = res.sentences;
  dir.cleanup();
}
const b = median(baseline);
const f = median(full);
console.log(`read+parse only : ${b.toFixed(2)} s  ${(firms.length / b).toFixed(0)} calls/s`);
console.log(
  `full ingest     : ${f.toFixed(2)} s  ${(firms.length / f).toFixed(0)} calls/s  (${sentences} sentences kept, ${(sentences / f).toFixed(0)} sentences/s)`,
);
console.log(`ratio full/read : ${(f / b).toFixed(1)}×`);
