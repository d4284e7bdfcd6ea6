/**
 * The synthesized state machine, run locally by aws-local-stepfunctions. Its Batch states run the real stage
 * commands (command lines from the synthesized job definitions) against a local lake; ECS and S3 calls go to
 * local fakes. Commands not yet on this branch: `firm-batch` runs a stand-in with the same flags, `themes` and
 * `sentiment` jobs are skipped with a diagnostic naming them, and their checks start once they land.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalLakeStore } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { CLI_BIN, EXAMPLES_ECTSUM, REPO_ROOT, tempDir } from '@callthemes/common/testing/paths';
import { StateMachine } from 'aws-local-stepfunctions';
import { afterAll, beforeAll, test } from 'vitest';
import { buildApp } from '../src/app.js';
import { STATE } from '../src/workflow.js';
import { FakeEcs, LocalBatch, localGetObject, resolveTemplate } from './local-aws.js';

const tmp = tempDir('callthemes-sfn-');
let template: any;
let definition: any;
let available: Set<string>;

beforeAll(() => {
  const { app, stack } = buildApp({ outdir: join(tmp.path, 'cdk.out') });
  template = app.synth().getStackByName(stack.stackName).template;
  const [smId] = Object.entries(template.Resources).find(
    ([, r]: any) => r.Type === 'AWS::StepFunctions::StateMachine',
  )!;
  definition = JSON.parse(
    resolveTemplate(template, template.Resources[smId].Properties.DefinitionString) as string,
  );
  const help = spawnSync(process.execPath, [CLI_BIN, '--help'], {
    env: { ...process.env, CALLTHEMES_FROM_SOURCE: '1' },
    encoding: 'utf8',
  }).stdout;
  available = new Set([...help.split('Commands:')[1].matchAll(/^\s{2}([a-z-]+)/gm)].map((m) => m[1]));
});
afterAll(() => tmp.cleanup());

function quarterFirms(q: number): number {
  return readdirSync(EXAMPLES_ECTSUM).filter((f) => f.endsWith(`_q${q}_2021.txt`)).length;
}

async function execute(
  input: Record<string, unknown>,
  name: string,
  batch: LocalBatch,
  ecs: FakeEcs,
  bucketDir: string,
) {
  const machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } });
  const jobs = [STATE.batches, STATE.firmBatch, STATE.themes, STATE.sentiment];
  const handlers: Record<string, (input: any) => Promise<any>> = {
    [STATE.readBatches]: localGetObject(bucketDir),
  };
  for (const s of jobs) handlers[s] = batch.submitJobSync;
  for (const key of ['Llm', 'Embed']) {
    for (const s of [`ScaleUp${key}`, `ScaleDown${key}`, `ScaleDown${key}AfterFailure`])
      handlers[s] = ecs.updateService;
    handlers[`List${key}Tasks`] = ecs.listTasks;
    handlers[`Describe${key}Tasks`] = ecs.describeTasks;
  }
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: { WaitLlm: 1, WaitEmbed: 1 } },
    context: { Execution: { Name: name, Input: input as never, StartTime: new Date().toISOString() } },
  });
  const trace: string[] = [];
  const collect = (async () => {
    for await (const e of execution.eventLogs as AsyncIterable<any>) {
      if (e.type === 'StateEntered') trace.push(e.state.name);
      if (e.type === 'StateRetried' || e.type === 'StateCaught') trace.push(`${e.type}:${e.state.name}`);
      if (e.type === 'ExecutionFailed') trace.push(`${e.type}:${e.Error}`);
    }
  })();
  const result = await execution.result.then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error }),
  );
  await collect;
  return { result, trace };
}

test('two quarters: scale up, wait healthy, batches, Map at MaxConcurrency, a reclaimed job retried, scale down', async () => {
  const bucketDir = join(tmp.path, 'bucket-ok');
  const ecs = new FakeEcs(2);
  const batch = new LocalBatch({
    template,
    bucketDir,
    inputDir: EXAMPLES_ECTSUM,
    repoRoot: REPO_ROOT,
    availableCommands: available,
    withoutServices: true,
    standIns: {
      'firm-batch': [
        '--import',
        pathToFileURL(join(REPO_ROOT, 'packages', 'common', 'register-source.mjs')).href,
        join(REPO_ROOT, 'infra', 'test', 'fixtures', 'firm-batch-standin.ts'),
      ],
    },
    reclaim: (stage, p, attempt) =>
      stage === 'firm-batch' && p.quarter === '2021Q2' && p.batch === '1' && attempt === 1,
  });
  const input = { quarters: ['2021Q1', '2021Q2'], batchSize: 12, maxConcurrency: 2 };
  const { result, trace } = await execute(input, 'exec-ok', batch, ecs, bucketDir);
  console.log(`trace: ${trace.join(' → ')}`);
  assert.ok(result.ok, `execution failed: ${!result.ok && result.error.message}`);

  // Quarters in order, each through every step.
  const entered = (name: string) => trace.filter((s) => s === name || s.startsWith(`${name}[`)).length;
  for (const s of [
    'ScaleUpLlm',
    'ScaleUpEmbed',
    'LlmHealthy',
    'EmbedHealthy',
    STATE.batches,
    STATE.readBatches,
    STATE.themes,
    STATE.sentiment,
  ])
    assert.equal(entered(s), 2, s);
  const themesAt = trace.indexOf(STATE.themes);
  assert.ok(
    themesAt < trace.lastIndexOf('ScaleUpLlm'),
    'the second quarter starts after the first one’s themes',
  );
  assert.ok(trace.indexOf('ScaleDownLlm') > trace.lastIndexOf(STATE.sentiment));
  assert.equal(entered('ScaleDownLlmAfterFailure'), 0);

  // The batch list went through S3 (a pointer in the state), 3 batches per quarter of 30 firms.
  const firmsByQuarter: Record<string, number> = { '2021Q1': quarterFirms(1), '2021Q2': quarterFirms(2) };
  for (const q of input.quarters) {
    const list = JSON.parse(readFileSync(join(bucketDir, 'runs', 'exec-ok', `batches-${q}.json`), 'utf8'));
    assert.equal(list.length, Math.ceil(firmsByQuarter[q] / 12));
    assert.equal(
      list.reduce((n: number, b: { firms: number }) => n + b.firms, 0),
      firmsByQuarter[q],
    );
  }
  assert.equal(entered(STATE.firmBatch), 6);

  // Concurrency cap honoured, and reached.
  assert.equal(batch.maxRunning.get('firm-batch'), 2);

  // The reclaimed attempt was retried by the job definition's strategy and the retry succeeded.
  const reclaimed = batch.attempts.filter((a) => a.statusReason.startsWith('Host EC2'));
  assert.equal(reclaimed.length, 1);
  const retried = batch.attempts.filter(
    (a) => a.stage === 'firm-batch' && a.args.join(' ') === reclaimed[0].args.join(' '),
  );
  assert.deepEqual(
    retried.map((a) => [a.attempt, a.exitCode]),
    [
      [1, null],
      [2, 0],
    ],
  );

  // Scaled up to one task each, then down to 0.
  assert.deepEqual([...ecs.desired.values()], [0, 0]);
  assert.equal(ecs.calls.filter((c) => c.startsWith('updateService') && c.endsWith(' 1')).length, 4);

  // The lake: every firm of both quarters once, no duplicate sentence after the killed attempt.
  const lake = new LocalLakeStore(join(bucketDir, 'lake'));
  const q = await LakeQuery.open(lake);
  try {
    const firms = await q.rows(
      'SELECT quarter, count(*) AS n, count(DISTINCT firm_id) AS ids FROM firms GROUP BY 1 ORDER BY 1',
    );
    const rejects = await q.rows(
      `SELECT quarter, count(*) AS n FROM rejects WHERE stage <> 'list' GROUP BY 1`,
    );
    for (const row of firms) {
      const rejected = Number(rejects.find((r) => r.quarter === row.quarter)?.n ?? 0);
      assert.equal(row.n, row.ids);
      assert.equal(Number(row.n) + rejected, firmsByQuarter[String(row.quarter)], String(row.quarter));
    }
    assert.equal(firms.length, 2);
    const [s] = await q.rows('SELECT count(*) AS n, count(DISTINCT sentence_id) AS ids FROM sentences');
    assert.equal(s.n, s.ids);
    assert.ok(Number(s.n) > 0);
    if (available.has('themes')) {
      const [th] = await q.rows('SELECT count(DISTINCT quarter) AS quarters FROM themes');
      assert.equal(th.quarters, 2);
    }
    if (available.has('sentiment')) {
      const [ss] = await q.rows('SELECT count(*) AS n FROM sentence_sentiment');
      assert.equal(ss.n, s.n);
    }
  } finally {
    q.close();
  }
  const missing = ['firm-batch', 'themes', 'sentiment'].filter((c) => !available.has(c));
  if (missing.length)
    console.log(
      `not on this branch yet: ${missing.join(', ')} (firm-batch ran its stand-in; skipped jobs: ${batch.skipped.join(', ') || 'none'})`,
    );
  for (const c of ['themes', 'sentiment'])
    if (!available.has(c)) assert.equal(batch.skipped.filter((s) => s.startsWith(c)).length, 2);
});

test('a failing job ends the run after scaling the inference services down', async () => {
  const bucketDir = join(tmp.path, 'bucket-fail');
  const ecs = new FakeEcs(1);
  const batch = new LocalBatch({
    template,
    bucketDir,
    inputDir: EXAMPLES_ECTSUM,
    repoRoot: REPO_ROOT,
    availableCommands: available,
  });
  // batch size 0 is refused by the real `batches` command (exit 2): a failure Batch must not retry.
  const { result, trace } = await execute(
    { quarters: ['2021Q1', '2021Q2'], batchSize: 0, maxConcurrency: 2 },
    'exec-fail',
    batch,
    ecs,
    bucketDir,
  );
  console.log(`trace: ${trace.join(' → ')}`);
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error.message : '', /batch-size|batchSize/i);
  assert.deepEqual(
    batch.attempts.map((a) => [a.stage, a.attempt, a.exitCode]),
    [['batches', 1, 2]],
  );
  const at = (s: string) => trace.indexOf(s);
  assert.ok(at('ScaleDownLlmAfterFailure') > at(STATE.batches));
  assert.ok(at('ScaleDownEmbedAfterFailure') > at('ScaleDownLlmAfterFailure'));
  assert.ok(at('RunFailed') > at('ScaleDownEmbedAfterFailure'));
  // (The local runner may enter the next quarter's first state before the Map fails; AWS stops the Map.)
  assert.equal(trace.filter((s) => s === STATE.batches).length, 1, 'no work of the second quarter ran');
  assert.deepEqual([...ecs.desired.values()], [0, 0]);
  const last = (svc: string) => ecs.calls.filter((c) => c.startsWith(`updateService ${svc}`)).pop();
  for (const svc of ecs.desired.keys()) assert.match(last(svc) ?? '', / 0$/);
});
