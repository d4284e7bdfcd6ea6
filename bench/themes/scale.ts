/**
 * Scale benchmark of the theme stage: runs the real command (`callthemes themes`) on a generated quarter under
 * /usr/bin/time, so wall time, CPU time and peak RSS are the whole process's (read, model, names, lineage,
 * writes). Generate the data first with bench/themes/scale-generator.ts. The machine's load average is
 * printed with each run: on a shared 2-core machine, CPU seconds are the steadier number.
 *
 *   node --import @callthemes/common/register-source bench/themes/scale.ts --lake <scale-lake> --quarters 2031Q1,2031Q2 [--runs 1] [-- extra flags]
 *
 * Several lakes (`--lakes 100=<lake-100>,4096=<lake-4096>`, e.g. the generator's `--dim` outputs) run in
 * alternation, round by round, so each sees the same machine; every run prints a row as it finishes, then the
 * medians and each lake's ratio to the first one. `--cli <callthemes.js>` runs another checkout's CLI (the
 * baseline before a change), with `--cli-label` naming it in the rows.
 *
 * `--steps` instead runs read → keyword vectors → model in this process and prints wall and CPU seconds per
 * step as they finish (where the time goes), and peak RSS at the end.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { matrixFromRows } from '@callthemes/common/cluster';
import { SifEmbedder } from '@callthemes/common/embed';
import { LocalLakeStore } from '@callthemes/common/lake';
import { CLI_BIN } from '@callthemes/common/testing/paths';
import type { ThemeModelOptions } from '@callthemes/common/themes';
import { fitThemes } from '@callthemes/common/themes';
import { readQuarterTopics } from '@callthemes/theme-worker';
import { quantile } from '../common.js';

interface Run {
  quarter: string;
  wall: number;
  cpu: number;
  peakMb: number;
  load: number;
  summary: string;
  stages: Record<string, number>;
}

function parseClock(s: string): number {
  const parts = s.split(':').map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

export function timedThemes(lake: string, quarter: string, extra: string[], cli = CLI_BIN): Run {
  const load = loadavg()[0];
  const r = spawnSync(
    '/usr/bin/time',
    ['-v', process.execPath, cli, 'themes', '--quarter', quarter, '--lake', lake, ...extra],
    {
      encoding: 'utf8',
      // As the theme worker's image runs it (worker.Dockerfile): two malloc arenas.
      env: { MALLOC_ARENA_MAX: '2', ...process.env, CALLTHEMES_FROM_SOURCE: '1' },
      maxBuffer: 1 << 26,
    },
  );
  if (r.status !== 0) throw new Error(`themes ${quarter} failed: ${r.stderr}`);
  const field = (name: string) => {
    const m = new RegExp(`${name}[^:]*: (.+)`).exec(r.stderr);
    if (!m) throw new Error(`no "${name}" in /usr/bin/time output`);
    return m[1].trim();
  };
  const manifest = JSON.parse(
    readFileSync(join(lake, '_manifests', `quarter=${quarter}`, 'themes-batch-0000.json'), 'utf8'),
  );
  return {
    quarter,
    wall: parseClock(field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)')),
    cpu: Number(field('User time')) + Number(field('System time')),
    peakMb: Number(field('Maximum resident set size')) / 1024,
    load,
    summary: r.stdout.trim(),
    stages: manifest.stats.seconds,
  };
}

async function steps(lake: string, quarter: string, o: ThemeModelOptions): Promise<void> {
  let cpu = process.cpuUsage();
  let wall = performance.now();
  const cpu0 = cpu;
  const wall0 = wall;
  const report = (step: string) => {
    const c = process.cpuUsage(cpu);
    const w = (performance.now() - wall) / 1000;
    process.stdout.write(
      `${step}\twall ${w.toFixed(1)} s\tCPU ${((c.user + c.system) / 1e6).toFixed(1)} s\n`,
    );
    cpu = process.cpuUsage();
    wall = performance.now();
  };
  const { topics, centroids } = await readQuarterTopics(new LocalLakeStore(lake), quarter);
  report(`read ${topics.length} topics`);
  const embedder = SifEmbedder.load();
  const vectors = matrixFromRows(await embedder.embed(topics.map((t) => t.keywords.join(' '))), embedder.dim);
  report('keyword vectors');
  const fit = fitThemes(topics, { ...o, onStep: (step) => report(step) }, { vectors, weight: 1, centroids });
  const c = process.cpuUsage(cpu0);
  process.stdout.write(
    `${quarter}: ${fit.stats.themes} themes, coverage ${(100 * fit.stats.coverage).toFixed(1)}%, ` +
      `${fit.stats.graphComponents} graph components; total wall ${((performance.now() - wall0) / 1000).toFixed(1)} s, ` +
      `CPU ${((c.user + c.system) / 1e6).toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`,
  );
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      steps: { type: 'boolean', default: false },
      epochs: { type: 'string' },
      reduction: { type: 'string' },
      lake: { type: 'string', default: join(tmpdir(), 'themes-scale') },
      quarters: { type: 'string', default: '2031Q1,2031Q2' },
      runs: { type: 'string', default: '1' },
      lakes: { type: 'string' },
      cli: { type: 'string' },
      'cli-label': { type: 'string', default: 'lake' },
    },
  });
  if (values.steps) {
    const o: ThemeModelOptions = {};
    if (values.epochs) o.umapEpochs = Number(values.epochs);
    if (values.reduction) o.reduction = values.reduction as ThemeModelOptions['reduction'];
    for (const q of values.quarters!.split(',')) await steps(values.lake!, q, o);
    return;
  }
  const lakes = values.lakes
    ? values.lakes.split(',').map((x) => {
        const at = x.indexOf('=');
        return { label: x.slice(0, at), path: x.slice(at + 1) };
      })
    : [{ label: values['cli-label']!, path: values.lake! }];
  const cli = values.cli ?? CLI_BIN;
  const runs: (Run & { label: string })[] = [];
  process.stdout.write(
    '| lake | quarter | wall s | CPU s | peak RSS MB | themes | coverage | load avg |\n|---|---|---|---|---|---|---|---|\n',
  );
  for (let k = 0; k < Number(values.runs); k++)
    for (const lake of lakes)
      for (const q of values.quarters!.split(',')) {
        const run = { ...timedThemes(lake.path, q, positionals, cli), label: lake.label };
        runs.push(run);
        const { themes, coverage } = outcome(run.summary);
        process.stdout.write(
          `| ${run.label} | ${q} | ${run.wall.toFixed(1)} | ${run.cpu.toFixed(1)} | ${run.peakMb.toFixed(0)} | ` +
            `${themes} | ${coverage} | ${run.load.toFixed(1)} |\n`,
        );
        process.stderr.write(
          `  ${run.summary}\n  stages (s): ${Object.entries(run.stages)
            .map(([st, v]) => `${st} ${Number(v).toFixed(1)}`)
            .join(', ')}\n`,
        );
      }
  if (runs.length <= 1) return;
  process.stdout.write(
    '\nmedians (ratio to the first lake):\n| lake | quarter | wall s | CPU s | peak RSS MB |\n|---|---|---|---|---|\n',
  );
  const med = (label: string, q: string, f: (r: Run) => number) =>
    quantile(runs.filter((r) => r.label === label && r.quarter === q).map(f), 0.5);
  for (const q of values.quarters!.split(','))
    for (const lake of lakes) {
      const cell = (f: (r: Run) => number, digits: number) => {
        const v = med(lake.label, q, f);
        const base = med(lakes[0].label, q, f);
        return lake === lakes[0] ? v.toFixed(digits) : `${v.toFixed(digits)} (${(v / base).toFixed(2)}×)`;
      };
      process.stdout.write(
        `| ${lake.label} | ${q} | ${cell((r) => r.wall, 1)} | ${cell((r) => r.cpu, 1)} | ${cell((r) => r.peakMb, 0)} |\n`,
      );
    }
}

function outcome(summary: string): { themes: string; coverage: string } {
  return {
    themes: /→ (\d+) themes/.exec(summary)?.[1] ?? '?',
    coverage: /coverage ([\d.]+%)/.exec(summary)?.[1] ?? '?',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
