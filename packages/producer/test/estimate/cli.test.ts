/**
 * `callthemes estimate` end to end: a real ingest of the sample, its run metrics written to `_runs/` from the
 * lake's firms rows, the estimate read back through `--from-run`, the SVG rendered by headless Chromium.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { evaluateInFile } from '@callthemes/common/testing/headless-chromium';
import { tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, test } from 'vitest';
import { ingestRunMetrics } from '../../src/estimate/ingest-metrics.js';
import { runMetricsSchema } from '../../src/run/run-metrics.js';

const dir = tempDir();
const lake = join(dir.path, 'lake');
let runId = '';
let firmsSeconds: { mean: number; sentences: number; firms: number } = { mean: 0, sentences: 0, firms: 0 };
afterAll(() => dir.cleanup());

beforeAll(async () => {
  const r = await runCli(ectsumArgs('ingest', '2021Q2', lake));
  assert.equal(r.code, 0, r.stderr);
  const q = await LakeQuery.open(openStore(lake));
  const [row] = await q.rows(
    'SELECT any_value(run_id) AS run_id, avg(seconds) AS mean, sum(n_sentences) AS sentences, count(*) AS firms FROM firms',
  );
  q.close();
  runId = String(row.run_id);
  firmsSeconds = { mean: Number(row.mean), sentences: Number(row.sentences), firms: Number(row.firms) };
  const metrics = await ingestRunMetrics(openStore(lake), runId);
  runMetricsSchema.parse(metrics);
  mkdirSync(join(lake, '_runs'), { recursive: true });
  writeFileSync(join(lake, '_runs', `${runId}.json`), JSON.stringify(metrics, null, 2));
});

test('run metrics of an ingest run come from its firms rows', async () => {
  const m = runMetricsSchema.parse(JSON.parse(readFileSync(join(lake, '_runs', `${runId}.json`), 'utf8')));
  assert.equal(m.runId, runId);
  assert.equal(m.counts.firms, 30);
  assert.equal(m.counts.firms, firmsSeconds.firms);
  assert.equal(m.counts.sentences, firmsSeconds.sentences);
  assert.ok(Math.abs(m.firmCpuSeconds.mean - firmsSeconds.mean) < 1e-12);
  assert.ok(m.firmSeconds.p50 <= m.firmSeconds.p90);
  assert.deepEqual(m.quarters, ['2021Q2']);
  assert.equal(m.batchSize, 50);
  assert.match(m.startedAt, /^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('estimate --from-run takes per-firm numbers from the run and says so', async () => {
  const chart = join(dir.path, 'estimate.svg');
  const r = await runCli([
    'estimate',
    '--firms',
    '5000',
    '--quarters',
    '2021Q1..2022Q4',
    '--from-run',
    runId,
    '--lake',
    lake,
    '--format',
    'json',
    '--chart',
    chart,
    '--budget',
    '100',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.scenario.fromRun, runId);
  assert.equal(report.scenario.quarters, 8);
  const input = (name: string) => report.inputs.find((p: { input: string }) => p.input === name);
  assert.equal(input('sentencesPerFirm').value, firmsSeconds.sentences / firmsSeconds.firms);
  assert.match(input('sentencesPerFirm').from, new RegExp(`^run ${runId}: `));
  // Ingest-only: the run measured the ingest part; the topic part is the price file's, and the two add up.
  assert.equal(input('ingestCpuSecondsPerFirm').value, firmsSeconds.mean);
  assert.equal(input('ingestCpuSecondsPerFirm').basis, 'run');
  assert.equal(input('topicCpuSecondsPerFirm').basis, 'measured'); // scripts/estimate-inputs.ts on full calls
  assert.equal(input('cpuSecondsPerFirm'), undefined);
  const fleet = report.paths.find((p: { path: string }) => p.path === 'fleet');
  const tasks = fleet.quarter.parallel.find((t: { name: string }) =>
    t.name.startsWith('firm workers'),
  ).seconds;
  const perFirm = firmsSeconds.mean + input('topicCpuSecondsPerFirm').value;
  // 5,000 firms / 50 = 100 partitions on 20 one-vCPU tasks: one 60 s start, then ⌈100/20⌉ = 5 waves of 50 × perFirm.
  assert.ok(Math.abs(tasks - (60 + 5 * 50 * perFirm)) < 1e-9);
  // The goal: 8 and 100 quarters on every path, the quarter times the count.
  for (const q of [8, 100]) {
    const g = report.goals.find(
      (x: { path: string; quarters: number }) => x.path === 'fleet' && x.quarters === q,
    );
    assert.ok(Math.abs(g.costUsd - q * fleet.quarter.costUsd) < 1e-9);
    assert.ok(Math.abs(g.wallSeconds - q * fleet.quarter.wallSeconds) < 1e-6);
    assert.equal(g.bottleneck, fleet.bottleneck);
  }
  // An ingest-only run has no LLM calls: naming volume comes from the price file, with a warning.
  assert.equal(input('llmRequestsPerFirm').basis, 'measured');
  assert.match(input('llmRequestsPerFirm').from, /^BENCHMARKS.md/);
  assert.ok(report.warnings.some((w: string) => /computed no topics/.test(w)));
  assert.deepEqual(
    report.paths.map((p: { path: string }) => p.path),
    ['sequential-api', 'fleet', 'hosted-api'],
  );
  for (const p of report.paths) {
    assert.ok(Math.abs(p.total.costUsd - 8 * p.quarter.costUsd) < 1e-9);
    assert.equal(typeof report.targets.meets[p.path], 'boolean');
  }
  // The sweep points plus the chosen task count (20, the firm service's maximum).
  assert.deepEqual(
    report.sweeps[0].concurrency.map((p: { value: number }) => p.value),
    [1, 2, 4, 8, 16, 20, 32, 64, 128, 256, 512],
  );
  assert.ok(existsSync(chart));
});

test('the chart is a valid SVG that Chromium renders with its six panels', async () => {
  const chart = join(dir.path, 'chart-check.svg');
  const r = await runCli(['estimate', '--quarters', '8', '--chart', chart]);
  assert.equal(r.code, 0, r.stderr);
  const seen = await evaluateInFile<{
    root: string;
    parseErrors: number;
    width: number;
    panels: number;
    paths: number;
    text: string;
  }>(
    chart,
    `({
      root: document.documentElement.tagName,
      parseErrors: document.getElementsByTagName('parsererror').length,
      width: document.documentElement.getBoundingClientRect().width,
      panels: document.querySelectorAll('g.panel').length,
      paths: document.querySelectorAll('g.panel path').length,
      text: document.documentElement.textContent ?? '',
    })`,
  );
  assert.equal(seen.root, 'svg');
  assert.equal(seen.parseErrors, 0);
  assert.ok(seen.width > 0);
  assert.equal(seen.panels, 6);
  // 2 paths + the dashed prior system in each of the four sweep panels; the fleet + the dashed target in the two
  // instance panels.
  assert.equal(seen.paths, 16);
  for (const t of [
    'Wall time per quarter vs firm-worker tasks',
    'Cost per quarter vs partition size',
    'Wall time per quarter vs endpoint instances',
    'dot = recommended 3 instances, 6 tasks',
    'hosted 8B API',
  ])
    assert.ok(seen.text.includes(t), t);
});

test('the table names the three paths, the goals and the inputs’ sources', async () => {
  const r = await runCli(['estimate', '--firms', '5000', '--quarters', '8', '--instances', '4']);
  assert.equal(r.code, 0, r.stderr);
  for (const t of [
    'prior system: sequential loop + API',
    'SQS fleet + SageMaker async on 4 instance(s)',
    'SQS fleet + hosted 8B API',
    'Goals: 5,000 firms × 8 and × 100 quarters',
    'wall, 100 q',
    'SageMaker instances',
    'Fargate firm workers',
    '20.8 h', // the prior system's firm loop alone: 15 s × 5,000 firms
    '48.0 h', // …and its quarter, paced by the API as its user measured
    'LLM API $80.00, machine $12.00 beside it',
    'Trade: self-hosting costs',
    'grants 6,000/min naming requests',
    'Endpoint size for one quarter ≤ 60.0 min within $100',
    'Recommended: 3 × ml.g6e.xlarge and 6 firm-worker tasks',
    'the 4-vCPU host limits embedding',
    'embedder in FP8',
    '1024-d Matryoshka vectors',
    'ml.g6.xlarge (L4 24 GB): both models FP8',
    'Inputs (flag > run > price file):',
    'deepinfra.com/docs/advanced/rate-limits',
  ])
    assert.ok(r.stdout.includes(t), t);
});

test('bad flags and values: one-line reason and usage, exit 2', async () => {
  // A metrics file that breaks the run-metrics contract is refused by name and field.
  const broken = JSON.parse(readFileSync(join(lake, '_runs', `${runId}.json`), 'utf8'));
  delete broken.counts;
  broken.runId = 'run-broken';
  writeFileSync(join(lake, '_runs', 'run-broken.json'), JSON.stringify(broken));
  const cases: [string[], RegExp][] = [
    [['--from-run', 'run-broken', '--lake', lake], /run metrics .*_runs\/run-broken\.json: counts: /],
    [['--from-run', '../etc/passwd', '--lake', lake], /invalid run id/],
    [['--firms', '0'], /invalid firms "0"/],
    [['--quarters', '2021Q5'], /invalid quarters "2021Q5"/],
    [['--pricing', 'cheap'], /argument 'cheap' is invalid/],
    [['--endpoint-instance', 'g6.xlarge'], /unknown SageMaker instance type "g6.xlarge"/],
    [
      ['--from-run', 'run-missing', '--lake', lake],
      /run metrics not found: .*_runs\/run-missing\.json \(runs in this lake: run-/,
    ],
    [['--prices', join(dir.path, 'absent.json')], /price file .*absent\.json/],
    [['--cpu-seconds-per-firm', 'fast'], /invalid cpuSecondsPerFirm "fast"/],
    [['--target-hours', '0'], /invalid targetHours "0"/],
  ];
  for (const [args, reason] of cases) {
    const r = await runCli(['estimate', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, reason);
    assert.match(r.stderr, /Usage: callthemes estimate|run with --help for usage/);
    assert.equal(r.stdout, '');
  }
});
