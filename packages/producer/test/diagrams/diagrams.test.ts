/**
 * `callthemes diagrams`: sources generated from this build and from the project's CDK app (infra, synthesized by
 * its own program), rendered by Debian's PlantUML (1.2020) with no error into non-empty images that name the
 * fleet's parts: producer, queues, workers, counters, endpoint, next quarter.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '@callthemes/common/config';
import { partitionMessageSchema } from '@callthemes/common/messages';
import { runCli } from '@callthemes/common/testing/cli';
import { skipIf, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, test } from 'vitest';
import { DIAGRAM_CONTEXT, INFRA_SYNTH } from '../../src/cli/commands/diagrams.js';
import { parseTemplate } from '../../src/diagrams/cfn.js';
import { foreignKeys, messageFields } from '../../src/diagrams/entity.js';
import { fleetShape } from '../../src/diagrams/fleet.js';

const dir = tempDir();
const templatePath = join(dir.path, 'Callthemes.template.json');
afterAll(() => dir.cleanup());

const plantuml = spawnSync('plantuml', ['-version'], { encoding: 'utf8' });
const dot = spawnSync('dot', ['-V'], { encoding: 'utf8' });
const needsPlantuml = skipIf(
  !(plantuml.status === 0 && dot.status === 0) &&
    'plantuml and graphviz are not installed (apt-get install plantuml graphviz)',
);

beforeAll(() => {
  // The template infra's synth program writes, as a deploy would (this package never imports infra's code).
  const context = Object.entries(DIAGRAM_CONTEXT).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const synth = spawnSync(
    process.execPath,
    [INFRA_SYNTH, '-o', join(dir.path, 'cdk.out'), '--no-nag', ...context],
    { encoding: 'utf8' },
  );
  assert.equal(synth.status, 0, synth.stderr);
  writeFileSync(templatePath, readFileSync(join(dir.path, 'cdk.out', 'Callthemes.template.json')));
});

/** The text PlantUML drew into an SVG, entities decoded. */
function svgText(path: string): string {
  const svg = readFileSync(path, 'utf8');
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)]
    .map((m) => m[1])
    .join(' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

test('foreign keys found in the lake schema by name', () => {
  assert.deepEqual(
    foreignKeys().map(
      (f) => `${f.from}.${f.column}→${f.to}${f.many ? ' many' : ''}${f.oneToOne ? ' 1:1' : ''}`,
    ),
    [
      'sentences.firm_id→firms',
      'sentences.topic_id→topics',
      'topics.firm_id→firms',
      'topics.representative_sentence_ids→sentences many',
      'topic_themes.topic_id→topics 1:1',
      'topic_themes.theme_id→themes',
      'theme_links.from_theme_id→themes',
      'theme_links.to_theme_id→themes',
      'sentence_sentiment.sentence_id→sentences 1:1',
      'theme_sentiment.theme_id→themes 1:1',
      'firm_theme_sentiment.theme_id→themes',
      'firm_theme_sentiment.firm_id→firms',
      'rejects.firm_id→firms',
    ],
  );
});

test('the fleet read from the synthesized template: queues, table key, services and their queues, endpoint', () => {
  const f = fleetShape(parseTemplate(readFileSync(templatePath, 'utf8'), templatePath));
  assert.deepEqual(
    f.queues.map((q) => [q.name, q.maxReceiveCount, q.visibilitySeconds, q.maxMessageBytes]).sort(),
    [
      ['partitions', 3, 1800, 1048576],
      ['themes', 3, 2700, 1048576],
    ],
  );
  assert.ok(f.queues.every((q) => /^QueuesPartitionsDlq|^QueuesThemesDlq/.test(q.dlqId)));
  assert.deepEqual(f.table, { key: ['pk (partition)'], billing: 'PAY_PER_REQUEST' });
  assert.deepEqual(
    f.services.map((x) => [x.name, x.queue, x.minTasks, x.maxTasks, x.capacity.join('+'), x.command]).sort(),
    [
      ['firm-worker', 'partitions', 0, 20, 'FARGATE_SPOT', 'node packages/firm-worker/bin/firm-worker.js'],
      ['theme-worker', 'themes', 0, 1, 'FARGATE_SPOT', 'node packages/theme-worker/bin/theme-worker.js'],
    ],
  );
  assert.deepEqual(f.endpoint, {
    name: 'callthemes-inference',
    instanceTypes: ['ml.g6e.xlarge'],
    minInstances: 0,
    maxInstances: DEFAULT_CONFIG.inferenceMaxInstances,
  });
  assert.equal(f.dashboard, 'Callthemes-fleet');
  assert.equal(f.alarms, 8);
});

test('message entities come from the zod schemas', () => {
  const fields = messageFields(partitionMessageSchema);
  assert.deepEqual(fields.slice(0, 4), [
    'v : = 1',
    'type : = "partition"',
    'runId : string',
    'quarter : string',
  ]);
  assert.ok(fields.includes('firms : array'));
});

test(
  'callthemes diagrams --render: four diagrams, each a non-empty SVG naming the fleet',
  needsPlantuml,
  async () => {
    const out = join(dir.path, 'diagrams');
    const r = await runCli(['diagrams', '--out', out, '--template', templatePath, '--render']);
    assert.equal(r.code, 0, r.stderr);
    const names = ['components', 'quarter-sequence', 'data-model', 'aws-architecture'];
    for (const n of names) {
      assert.ok(r.stdout.includes(join(out, `${n}.puml`)), n);
      assert.match(r.stdout, new RegExp(`${n}\\.svg \\(\\d+ bytes\\)`));
    }
    assert.ok(!r.stdout.includes('workflow-activity'));
    const text = Object.fromEntries(names.map((n) => [n, svgText(join(out, `${n}.svg`))]));
    const seq = text['quarter-sequence'];
    for (const part of [
      'pnpm producer enqueue',
      'partitions queue (SQS)',
      'visibility 1800 s, DLQ after 3',
      'firm-worker: 0..20 tasks, FARGATE_SPOT',
      'theme-worker: 0..1 tasks, FARGATE_SPOT',
      'counters (DynamoDB)',
      'pk (partition)',
      'SageMaker async',
      `callthemes-inference, ml.g6e.xlarge, 0..${DEFAULT_CONFIG.inferenceMaxInstances}`,
      'themes queue (SQS)',
      'completePartition(run, Q, p)',
      'claim themeEnqueued',
      'next quarter Q+1',
      "raise firm-worker's desired count",
    ])
      assert.ok(seq.includes(part), `sequence: ${part}`);
    for (const part of [
      'WorkQueue',
      'Counters',
      'Inference',
      'firm worker',
      'theme worker',
      'DynamoDB, pk (partition)',
    ])
      assert.ok(text.components.includes(part), `components: ${part}`);
    for (const table of [
      'firms',
      'sentences',
      'topics',
      'themes',
      'topic_themes',
      'theme_links',
      'sentence_sentiment',
      'rejects',
    ])
      assert.ok(text['data-model'].includes(table), table);
    assert.ok(text['data-model'].includes('«PK, partition»'));
    for (const m of ['partition message', 'theme message', 'counters item', 'settingsHash'])
      assert.ok(text['data-model'].includes(m), m);
    for (const s of [
      'Amazon SQS',
      'Amazon DynamoDB',
      'Amazon SageMaker',
      'Amazon ECS (Fargate)',
      'Application Auto Scaling',
      'Amazon CloudWatch',
      'Amazon S3',
      'AWS Glue',
      'Amazon Athena',
      'DLQ after 3 receives',
      'FARGATE_SPOT',
      'cmd: node packages/firm-worker/bin/firm-worker.js',
    ])
      assert.ok(text['aws-architecture'].includes(s), s);
    for (const gone of ['Step Functions', 'AWS Batch', 'vLLM'])
      assert.ok(!Object.values(text).some((t) => t.includes(gone)), gone);
  },
);

test('without --template the diagrams synthesize the project’s CDK app', async () => {
  const out = join(dir.path, 'synthesized');
  const r = await runCli(['diagrams', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /synthesized the CDK app: \d+ resources/);
  const fromFile = join(dir.path, 'from-file');
  assert.equal((await runCli(['diagrams', '--out', fromFile, '--template', templatePath])).code, 0);
  for (const n of ['aws-architecture', 'quarter-sequence', 'components'])
    assert.equal(
      readFileSync(join(out, `${n}.puml`), 'utf8'),
      readFileSync(join(fromFile, `${n}.puml`), 'utf8'),
      n,
    );
});

test('PNG rendering and the local diagrams without a template', needsPlantuml, async () => {
  const out = join(dir.path, 'local');
  const r = await runCli(['diagrams', '--out', out, '--no-cloud', '--render', '--image', 'png']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /--no-cloud: the AWS architecture diagram was skipped/);
  for (const n of ['components', 'quarter-sequence', 'data-model']) {
    const png = readFileSync(join(out, `${n}.png`));
    assert.ok(png.length > 1000, n);
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  }
  assert.ok(!r.stdout.includes('aws-architecture'));
});

test('settings reach the diagrams without credentials', async () => {
  const out = join(dir.path, 'with-settings');
  const r = await runCli(['diagrams', '--out', out, '--no-cloud'], {
    CALLTHEMES_LLM_URL: 'http://user:s3cret@127.0.0.1:8000/v1?api_key=abc123',
    CALLTHEMES_LLM_MODEL: 'Qwen/Qwen3-8B',
    CALLTHEMES_PARTITION_SIZE: '25',
  });
  assert.equal(r.code, 0, r.stderr);
  const src = readFileSync(join(out, 'quarter-sequence.puml'), 'utf8');
  assert.ok(src.includes('Qwen/Qwen3-8B at http://127.0.0.1:8000/v1'));
  assert.ok(src.includes('partitions of 25'));
  assert.ok(src.includes('partitions queue\\n(SQLite, DLQ after 3)'));
  assert.ok(!src.includes('s3cret') && !src.includes('abc123'));
});

test('bad template or missing --out: one-line reason and usage, exit 2', async () => {
  const bad = join(dir.path, 'bad.json');
  writeFileSync(bad, '{"AWSTemplateFormatVersion": "2010-09-09"}');
  const cases: [string[], RegExp][] = [
    [['--template', bad, '--out', dir.path], /template .*bad\.json: no Resources object/],
    [['--template', join(dir.path, 'absent.json'), '--out', dir.path], /absent\.json: not found/],
    [['--cdk-out', join(dir.path, 'nope'), '--out', dir.path], /--cdk-out .*nope: no such folder/],
    [[], /missing --out <dir>/],
    [['--out', dir.path, '-c', 'novalue'], /invalid context "novalue"/],
  ];
  for (const [args, reason] of cases) {
    const r = await runCli(['diagrams', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, reason);
    assert.match(r.stderr, /Usage: callthemes diagrams/);
  }
});
