/**
 * The local fleet end to end (`runLocalPlan`, the code behind `callthemes run`) on one quarter: firm workers
 * (processes) × partition sizes, median of several runs, each into a fresh lake. Prints the workers' start-up
 * (models loaded) apart from the whole command's wall time, and each setting's speed-up over the first one.
 *
 * Usage: node --import @callthemes/common/register-source bench/run.ts [--quarter 2021Q2] [--input <ectsum dir>] [--firms N] [--runs 3]
 *          [--concurrency 1,2] [--partition-size 50] [--synthetic N]
 * --synthetic N writes N firms for the quarter (ECTSum format) made of real calls' sentences, firm i taking the
 * sentences of real call i mod R with a firm-specific rotation, so the synthetic quarter has realistic lengths.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ECTSUM_DIR, tempDir } from '@callthemes/common/testing/paths';
import { LineProgress, runLocalPlan } from '@callthemes/producer/run';

const { values } = parseArgs({
  options: {
    quarter: { type: 'string', default: '2021Q2' },
    input: { type: 'string', default: ECTSUM_DIR },
    firms: { type: 'string' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1,2' },
    'partition-size': { type: 'string', default: '50' },
    synthetic: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const quarter = values.quarter!;
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const work = tempDir('callthemes-bench-run-');

function synthesize(n: number, from: string): string {
  const [year, q] = [quarter.slice(0, 4), quarter.slice(5)];
  const real = readdirSync(from)
    .filter((f) => f.endsWith(`_q${q}_${year}.txt`))
    .sort();
  if (real.length === 0) throw new Error(`no ${quarter} calls in ${from} to build synthetic firms from`);
  const texts = real.map((f) => readFileSync(join(from, f), 'utf8').split('\n').filter(Boolean));
  const out = join(work.path, 'synthetic');
  mkdirSync(out, { recursive: true });
  for (let i = 0; i < n; i++) {
    const lines = texts[i % texts.length];
    const shift = Math.floor(i / texts.length) % Math.max(1, lines.length);
    const rotated = [...lines.slice(shift), ...lines.slice(0, shift)];
    writeFileSync(join(out, `S${String(i).padStart(5, '0')}_q${q}_${year}.txt`), `${rotated.join('\n')}\n`);
  }
  return out;
}

const input = values.synthetic ? synthesize(Number(values.synthetic), values.input!) : values.input!;
const quiet = new LineProgress({ write: () => true } as unknown as NodeJS.WritableStream);
const settings = values
  .concurrency!.split(',')
  .flatMap((c) =>
    values['partition-size']!.split(',').map((p) => ({ concurrency: Number(c), partitionSize: Number(p) })),
  );

console.log(
  `${quarter} from ${values.synthetic ? `${values.synthetic} synthetic firms` : input}` +
    `${values.firms ? `, first ${values.firms} firms` : ''}; ${runs} run(s) each`,
);
console.log('K  partition  start_s  command_s  firms  firms/s  cpu_s  peak_MiB  speed-up');
let baseline = 0;
for (const s of settings) {
  const wall: number[] = [];
  const start: number[] = [];
  const cpu: number[] = [];
  const rss: number[] = [];
  let firms = 0;
  for (let r = 0; r < runs; r++) {
    const src = { kind: 'ectsum', input };
    const t0 = performance.now();
    const out = await runLocalPlan({
      request: {
        quarters: [quarter],
        runId: `bench-${s.concurrency}-${s.partitionSize}-${r}`,
        sourceOptions: src,
        settings: {
          source: src,
          firms: values.firms ? { limit: Number(values.firms) } : null,
          partitionSize: s.partitionSize,
          flushEvery: 50,
          minTokens: 5,
          seed: 42,
          topics: { minTopicSize: 'auto', outlierThreshold: null },
          models: { embedder: 'sif-wink-sg-100d', namer: 'keywords', classifier: 'lexicon' },
        },
      },
      lake: join(work.path, `lake-${s.concurrency}-${s.partitionSize}-${r}`),
      concurrency: s.concurrency,
      workerEnv: {},
      progress: values.verbose ? new LineProgress() : quiet,
    });
    const command = (performance.now() - t0) / 1000;
    if (out.status !== 'ok') throw new Error(`run failed: ${out.errors.join('; ')}`);
    const m = out.metrics;
    wall.push(command);
    cpu.push(m.stages.reduce((a, x) => a + x.cpuSeconds, 0));
    start.push(m.workerStartSeconds ?? 0);
    rss.push(m.peakRssBytes / 2 ** 20);
    firms = m.counts.firms;
  }
  const w = median(wall);
  baseline ||= w;
  console.log(
    `${s.concurrency}  ${String(s.partitionSize).padStart(9)}  ${median(start).toFixed(2).padStart(7)}  ${w.toFixed(2).padStart(9)}  ` +
      `${String(firms).padStart(5)}  ${(firms / w).toFixed(1).padStart(7)}  ${median(cpu).toFixed(1).padStart(5)}  ` +
      `${median(rss).toFixed(0).padStart(8)}  ${(baseline / w).toFixed(2).padStart(7)}×`,
  );
}
work.cleanup();
