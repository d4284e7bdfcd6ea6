/**
 * Theme stability across seeds: for every quarter of a lake (or the ones named), the theme model as the theme
 * worker runs it (defaults + embedded keywords at weight 1) with seeds 1–5, printing per seed the theme count and
 * the largest theme's share of the quarter's topics, then whether the quarter passes issue 29's bar (≥ 15 themes,
 * no theme > 15 %, theme counts within ±25 % of their median) when it has at least `--min-firms` firms.
 * `--set key=value` (repeatable) overrides a model option (numbers parsed), to compare variants on the same topics.
 *
 *   node --import @callthemes/common/register-source bench/themes/seeds.ts --lake ./lake [--quarters 2020Q2,2020Q3]
 *     [--seeds 1,2,3,4,5] [--min-firms 100] [--set umapEpochs=200] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { matrixFromRows } from '@callthemes/common/cluster';
import { isQuarter } from '@callthemes/common/config';
import { SifEmbedder } from '@callthemes/common/embed';
import { LocalLakeStore } from '@callthemes/common/lake';
import type { ThemeModelOptions } from '@callthemes/common/themes';
import { fitThemes } from '@callthemes/common/themes';
import { readQuarterTopics } from '@callthemes/theme-worker';
import { quantile } from '../common.js';

const { values } = parseArgs({
  options: {
    lake: { type: 'string' },
    quarters: { type: 'string' },
    seeds: { type: 'string', default: '1,2,3,4,5' },
    'min-firms': { type: 'string', default: '100' },
    set: { type: 'string', multiple: true, default: [] },
    json: { type: 'string' },
  },
});
if (!values.lake) throw new Error('--lake is required');
const store = new LocalLakeStore(values.lake);
const seeds = values.seeds.split(',').map(Number);
const minFirms = Number(values['min-firms']);
const model: Record<string, unknown> = {};
for (const kv of values.set) {
  const [k, v] = kv.split('=');
  model[k] = v === '' || Number.isNaN(Number(v)) ? v : Number(v);
}

const quarters = values.quarters
  ? values.quarters.split(',')
  : (await store.list('topics/'))
      .map((k) => /^topics\/quarter=([^/]+)\//.exec(k)?.[1])
      .filter((q): q is string => q !== undefined && isQuarter(q))
      .filter((q, i, a) => a.indexOf(q) === i)
      .sort();

const embedder = SifEmbedder.load();
export interface SeedRow {
  quarter: string;
  firms: number;
  topics: number;
  seed: number;
  themes: number;
  largestShare: number;
  coverage: number;
  seconds: number;
}
const rows: SeedRow[] = [];
const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
console.log(
  `model: defaults${Object.keys(model).length ? ` + ${JSON.stringify(model)}` : ''}, keyword weight 1`,
);
console.log(`| quarter (firms, topics) | ${seeds.map((s) => `seed ${s}`).join(' | ')} | bar |`);
console.log(`|---|${seeds.map(() => '---').join('|')}|---|`);
for (const quarter of quarters) {
  const { topics } = await readQuarterTopics(store, quarter);
  if (topics.length === 0) continue;
  const vectors = matrixFromRows(await embedder.embed(topics.map((t) => t.keywords.join(' '))), embedder.dim);
  const firms = new Set(topics.map((t) => t.firmId)).size;
  const cells: string[] = [];
  const mine: SeedRow[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const fit = fitThemes(topics, { ...(model as ThemeModelOptions), seed }, { vectors, weight: 1 });
    const largest = fit.themes.reduce((m, t) => Math.max(m, t.members.length), 0);
    const row: SeedRow = {
      quarter,
      firms,
      topics: topics.length,
      seed,
      themes: fit.themes.length,
      largestShare: largest / topics.length,
      coverage: fit.stats.coverage,
      seconds: (performance.now() - t0) / 1000,
    };
    mine.push(row);
    cells.push(`${row.themes} (${pct(row.largestShare)})`);
  }
  rows.push(...mine);
  const counts = mine.map((r) => r.themes);
  const med = quantile(counts, 0.5);
  const ok =
    counts.every((c) => c >= 15 && Math.abs(c - med) <= 0.25 * med) &&
    mine.every((r) => r.largestShare <= 0.15);
  const bar = firms < minFirms ? '-' : ok ? 'pass' : 'FAIL';
  const cov = quantile(
    mine.map((r) => r.coverage),
    0.5,
  );
  const secs = quantile(
    mine.map((r) => r.seconds),
    0.5,
  );
  console.log(
    `| ${quarter} (${firms}, ${topics.length}) | ${cells.join(' | ')} | ${bar} (coverage ${cov.toFixed(2)}, ${secs.toFixed(1)} s) |`,
  );
}
if (values.json) writeFileSync(values.json, `${JSON.stringify({ model, rows }, null, 2)}\n`);
