import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LocalLakeStore } from '@callthemes/common/lake';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, test } from 'vitest';
import { runMetricsSchema } from '../../src/run/run-metrics.js';
import { startCli } from './cli-process.js';
import { snapshot } from './helpers.js';

const dir = tempDir('callthemes-run-cli-');
afterAll(() => dir.cleanup());

const runArgs = (lake: string, extra: string[] = []) => ectsumArgs('run', '2021Q2', lake, extra);

test('without a terminal: one line per firm and per stage on stderr, the summary table on stdout', async () => {
  const lake = join(dir.path, 'plain');
  const r = await runCli(runArgs(lake, ['--firms', '9', '--batch-size', '3', '--run-id', 'plain-1']));
  assert.equal(r.code, 0, r.stderr);
  const firmLines = r.stderr
    .split('\n')
    .filter((l) => /^[A-Z.]+ 2021Q2: \d+ sentences, \d+ topics, \d+\.\d\d s$/.test(l));
  assert.equal(firmLines.length, 9);
  assert.match(r.stderr, /^started 2 firm worker\(s\) and 1 theme worker$/m);
  assert.match(r.stderr, /^firm 2021Q2: 9 firms in 3 batches to run$/m);
  assert.match(r.stderr, /^themes 2021Q2: 9 firms, 0 rejected, \d+ themes/m);
  assert.match(r.stdout, /^stage\s+quarter\s+batches\s+run\s+skipped/m);
  assert.match(r.stdout, /^firm\s+2021Q2\s+3\s+3\s+0\s+0\s+9\s+0\s/m);
  assert.match(r.stdout, /^run plain-1: ok; 9 firms \(0 rejected\)/m);
  const text = await new LocalLakeStore(lake).getText('_runs/plain-1.json');
  const m = runMetricsSchema.parse(JSON.parse(text ?? 'null'));
  assert.equal(m.counts.firms, 9);
  assert.ok(m.stages[0].cpuSeconds > 0);
});

test('SIGTERM: the current firms finish, parts are flushed, exit 143; the same command resumes', async () => {
  const lake = join(dir.path, 'term');
  const args = runArgs(lake, [
    '--firms',
    '10',
    '--batch-size',
    '5',
    '--flush-every',
    '2',
    '--run-id',
    'term-1',
  ]);
  const run = startCli(args);
  let sent = false;
  run.onLine((line) => {
    if (!sent && /^\S+ 2021Q2: \d+ sentences/.test(line)) {
      sent = true;
      run.child.kill('SIGTERM');
    }
  });
  assert.equal(await run.exit, 143, run.lines.join('\n'));
  assert.match(run.lines.join('\n'), /stop requested/);
  const store = new LocalLakeStore(lake);
  const m = runMetricsSchema.parse(JSON.parse((await store.getText('_runs/term-1.json')) ?? 'null'));
  assert.equal(m.status, 'interrupted');
  const partial = await snapshot(lake);
  assert.ok(partial.counts.firms >= 1, 'the firm that was finishing was flushed');

  const again = await runCli([...args.slice(0, -2), '--run-id', 'term-2']);
  assert.equal(again.code, 0, again.stderr);
  const full = await snapshot(lake);
  assert.equal(full.counts.firms, 10);
  assert.deepEqual(full.duplicates, []);
});

test('bad values: one-line reason, usage, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['--workers', 'fork'], /unknown option '--workers'/],
    [['--firms', '0'], /invalid --firms "0"/],
    [['--firms', join(dir.path, 'missing.txt')], /cannot read the file of firm ids/],
    [['--concurrency', '0'], /invalid concurrency "0"/],
    [['--run-id', 'a/b'], /invalid --run-id/],
    [['--sentiment-url', 'http://127.0.0.1:1', '--sentiment-api', 'soap'], /unknown sentiment API "soap"/],
  ];
  const results = await Promise.all(cases.map(([extra]) => runCli(runArgs(join(dir.path, 'bad'), extra))));
  results.forEach((r, i) => {
    assert.equal(r.code, 2, `${cases[i][0].join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, cases[i][1]);
  });
  const noQuarters = await runCli(['run', '--source', 'ectsum', '--input', EXAMPLES_ECTSUM]);
  assert.equal(noQuarters.code, 2);
  assert.match(noQuarters.stderr, /missing --quarters/);
  const help = await runCli(['run', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Example:\n {2}callthemes run --source ectsum/);
});
