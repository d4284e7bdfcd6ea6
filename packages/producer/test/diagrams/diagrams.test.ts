/**
 * `callthemes diagrams`: sources generated from this build and from the project's CDK app (infra, synthesized by its own program) as
 * synthesized by aws-cdk-lib, rendered by Debian's PlantUML (1.2020) with no error into non-empty images that
 * name the stages.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '@callthemes/common/testing/cli';
import { skipIf, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, test } from 'vitest';
import { INFRA_SYNTH } from '../../src/cli/commands/cloud.js';
import { activityDiagram, loopHeads, ruleText } from '../../src/diagrams/activity.js';
import { type Asl, definitionText, parseTemplate, stateMachines } from '../../src/diagrams/cfn.js';
import { foreignKeys } from '../../src/diagrams/entity.js';
import { render } from '../../src/diagrams/generate.js';

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
  const synth = spawnSync(process.execPath, [INFRA_SYNTH, '-o', join(dir.path, 'cdk.out'), '--no-nag'], {
    encoding: 'utf8',
  });
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
      'rejects.firm_id→firms',
    ],
  );
});

test('a DefinitionString joined with references becomes a definition with named markers', () => {
  const text = definitionText({
    'Fn::Join': [
      '',
      [
        '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:',
        { Ref: 'AWS::Partition' },
        ':states:::batch:submitJob.sync","Parameters":{"JobQueue":"',
        { Ref: 'QueueABCDEF12' },
        '"},"End":true}}}',
      ],
    ],
  });
  const asl = JSON.parse(text) as Asl;
  assert.equal(asl.States.A.Resource, 'arn:aws:states:::batch:submitJob.sync');
  assert.equal(asl.States.A.Parameters?.JobQueue, '«QueueABCDEF12»');
});

const pollLoop: Asl = {
  StartAt: 'Check',
  States: {
    Check: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:ecs:describeServices', Next: 'Ready' },
    Ready: {
      Type: 'Choice',
      Choices: [{ Variable: '$.running', NumericGreaterThanEquals: 1, Next: 'Work' }],
      Default: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 30, Next: 'Check' },
    Work: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Pass', End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
      ],
      Next: 'Route',
    },
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.kind', StringEquals: 'a', Next: 'DoA' },
        { Not: { Variable: '$.kind', IsPresent: true }, Next: 'DoB' },
      ],
      Default: 'Broken',
    },
    DoA: {
      Type: 'Task',
      Resource: 'arn:aws:states:::batch:submitJob.sync',
      Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Cleanup' }],
      Next: 'Join',
    },
    DoB: { Type: 'Pass', Next: 'Join' },
    Join: { Type: 'Succeed' },
    Broken: { Type: 'Fail', Error: 'NoRoute' },
    Cleanup: { Type: 'Pass', Next: 'Broken2' },
    Broken2: { Type: 'Fail', Error: 'Cleaned' },
  },
};

test('ASL → activity: a poll loop, fork, if/elseif/else with a join, retry and catch', () => {
  assert.deepEqual([...loopHeads(pollLoop)], ['Check']);
  assert.equal(ruleText({ Variable: '$.running', NumericGreaterThanEquals: 1 }), 'running ≥ 1');
  assert.equal(ruleText({ Not: { Variable: '$.kind', IsPresent: true } }), 'not (kind present)');
  const d = activityDiagram({ id: 'X', name: 'demo', definition: pollLoop });
  const lines = d.source.split('\n').map((l) => l.trim());
  const at = (s: string) => lines.indexOf(s);
  // The loop: repeat, the check, the wait only when not ready, then the loop test.
  assert.ok(at('repeat') < at(':Check') && at(':Check') < at('if (Ready?) then (not (running ≥ 1))'));
  assert.ok(at(':Pause') > at('if (Ready?) then (not (running ≥ 1))'));
  assert.ok(at('repeat while (Ready: not (running ≥ 1)) is (yes)') > at(':Pause'));
  assert.equal(lines[at('repeat while (Ready: not (running ≥ 1)) is (yes)') + 1], '->running ≥ 1;');
  // Parallel as fork; the three-way Choice with its join at Succeed.
  assert.ok(at('fork') > 0 && at('fork again') > at('fork') && at('end fork') > at('fork again'));
  assert.ok(at('if (Route?) then (kind = a)') > at('end fork'));
  assert.ok(at('elseif (Route?) then (not (kind present))') > 0);
  assert.ok(at('else (otherwise)') > 0 && at(':Broken: NoRoute;') > at('else (otherwise)'));
  assert.ok(at(':Join;') > at('endif'));
  assert.ok(lines.includes('retry States.TaskFailed ×2') && lines.includes('catch States.ALL → Cleanup'));
  // The Catch handler as its own flow after the main one.
  assert.ok(at('partition "on error in DoA" {') > at(':Join;'));
  assert.ok(at(':Cleanup (Pass);') > at('partition "on error in DoA" {'));
  for (const s of ['Check', 'Ready', 'Pause', 'Work', 'Route', 'DoA', 'DoB', 'Join', 'Broken'])
    assert.ok(d.mentions.includes(s), s);
});

test('the hand-written workflow renders in PlantUML 1.2020 without error', needsPlantuml, () => {
  const d = activityDiagram({ id: 'X', name: 'demo', definition: pollLoop });
  const path = join(dir.path, 'demo.puml');
  writeFileSync(path, d.source);
  const [r] = render([path], 'svg');
  const text = svgText(r.image);
  for (const s of ['Check', 'Pause', 'DoA', 'Cleanup', 'fork', 'Route?'].filter((x) => x !== 'fork'))
    assert.ok(text.includes(s), s);
});

test('the CDK app’s template: its workflow is found and drawn with its stages and loops', () => {
  const t = parseTemplate(readFileSync(templatePath, 'utf8'), templatePath);
  const [sm] = stateMachines(t);
  assert.equal(sm.definition.StartAt, 'Defaults');
  const d = activityDiagram(sm);
  // The health polls are loops whose healthy branch leaves mid-loop: drawn as a detach and a continuation.
  assert.ok(d.source.includes('repeat while (LlmPollsLeft: not (polls.n ≥ 60)) is (yes)'));
  assert.ok(d.source.includes(':→ leaves the loop: LlmHealthy;'));
  assert.ok(d.source.includes('partition "continues from LlmIsHealthy: probe.anyHealthy = true" {'));
  assert.ok(
    d.source.includes(
      'partition "Map FirmBatches (MaxConcurrency from $.maxConcurrency, items $.batches.list)" {',
    ),
  );
  for (const job of ['job batches', 'job firm-batch', 'job themes', 'job sentiment'])
    assert.ok(d.source.includes(`batch:submitJob.sync, ${job},`), job);
});

test(
  'callthemes diagrams --render: five diagrams, each a non-empty SVG naming the stages',
  needsPlantuml,
  async () => {
    const out = join(dir.path, 'diagrams');
    const r = await runCli(['diagrams', '--out', out, '--template', templatePath, '--render']);
    assert.equal(r.code, 0, r.stderr);
    const names = ['components', 'quarter-sequence', 'data-model', 'aws-architecture', 'workflow-activity'];
    for (const n of names) {
      assert.ok(r.stdout.includes(join(out, `${n}.puml`)), n);
      assert.match(r.stdout, new RegExp(`${n}\\.svg \\(\\d+ bytes\\)`));
    }
    const text = Object.fromEntries(names.map((n) => [n, svgText(join(out, `${n}.svg`))]));
    for (const stage of ['stage: batches', 'stage: firm batch', 'stage: themes', 'stage: sentiment'])
      assert.ok(text.components.includes(stage), `components: ${stage}`);
    for (const stage of ['stage: firm batch', 'stage: themes', 'stage: sentiment', 'batches'])
      assert.ok(text['quarter-sequence'].includes(stage), `sequence: ${stage}`);
    assert.ok(text['quarter-sequence'].includes('Step Functions'));
    assert.ok(text['quarter-sequence'].includes('scale up, wait until healthy'));
    assert.ok(text['quarter-sequence'].includes('up to maxConcurrency (run input) batches at once'));
    // The services and the lake of the app, not the local settings.
    assert.ok(text['quarter-sequence'].includes('Qwen/Qwen3-8B-FP8 on vLLM (ECS, GPU)'));
    assert.ok(text['quarter-sequence'].includes('Qwen/Qwen3-Embedding-8B on vLLM (ECS, GPU)'));
    assert.ok(text['quarter-sequence'].includes('S3 bucket Lake (Glue tables, Athena)'));
    assert.ok(text['quarter-sequence'].includes('firm-batch --quarter Q --batch i'));
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
    for (const state of [
      'ScaleUpLlm',
      'ListLlmTasks',
      'ListBatches',
      'FirmBatch',
      'Themes',
      'Sentiment',
      'ScaleDownLlmAfterFailure',
    ])
      assert.ok(text['workflow-activity'].includes(state), state);
    for (const job of ['job batches', 'job firm-batch', 'job themes', 'job sentiment'])
      assert.ok(text['workflow-activity'].includes(job), job);
    for (const s of [
      'AWS Batch',
      'Amazon ECS',
      'AWS Step Functions',
      'Amazon S3',
      'AWS Glue',
      'Amazon Athena',
      '(firm-batch)',
      '(themes)',
      '(sentiment)',
    ])
      assert.ok(text['aws-architecture'].includes(s), s);
  },
);

test('without --template the diagrams synthesize the project’s CDK app', async () => {
  const out = join(dir.path, 'synthesized');
  const r = await runCli(['diagrams', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /synthesized the CDK app: \d+ resources/);
  const fromFile = join(dir.path, 'from-file');
  assert.equal((await runCli(['diagrams', '--out', fromFile, '--template', templatePath])).code, 0);
  for (const n of ['aws-architecture', 'workflow-activity'])
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
  assert.match(r.stderr, /--no-cloud: the AWS architecture and workflow diagrams were skipped/);
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
    CALLTHEMES_BATCH_SIZE: '25',
  });
  assert.equal(r.code, 0, r.stderr);
  const src = readFileSync(join(out, 'quarter-sequence.puml'), 'utf8');
  assert.ok(src.includes('Qwen/Qwen3-8B at http://127.0.0.1:8000/v1'));
  assert.ok(src.includes('firm batches of 25'));
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
