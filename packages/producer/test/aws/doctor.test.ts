/**
 * `doctor` against an emulated account: moto for CloudFormation (the CDK bootstrap stack and the fleet's stack),
 * S3 (weights staged by stage-models) and ECR, and a stand-in of Service Quotas' GetServiceQuota; the deploy plan
 * read from the CDK app's real synthesized template. A fresh account fails every check with the line that says
 * what to run or request; a prepared one passes; a missing staged file is named.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { DEFAULT_CONFIG } from '@callthemes/common/config';
import { runCli } from '@callthemes/common/testing/cli';
import { type MotoServer, motoMissing, startMotoServer } from '@callthemes/common/testing/moto-server';
import { skipIf, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, test } from 'vitest';
import { type DeployPlan, type DoctorDeps, deployPlanFrom, runDoctor } from '../../src/aws/doctor.js';
import { INFRA_SYNTH } from '../../src/cli/commands/diagrams.js';
import { parseTemplate } from '../../src/diagrams/cfn.js';
import { stageModel } from '../../src/models/stage-models.js';
import { type ServiceQuotasStandIn, startServiceQuotasStandIn } from './service-quotas-standin.js';

const skip = skipIf(motoMissing() ?? undefined);
const dir = tempDir('callthemes-doctor-');
const templatePath = join(dir.path, 'Callthemes.template.json');
const TYPE = 'ml.g6e.xlarge';
let moto: MotoServer;
let quotas: ServiceQuotasStandIn;
let deps: DoctorDeps;
let plan: DeployPlan;
let s3: S3Client;
let cfn: CloudFormationClient;

/** A stack with one queue and literal outputs (moto's CloudFormation creates the queue). */
const stackTemplate = (outputs: Record<string, string>) =>
  JSON.stringify({
    Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `q-${Object.keys(outputs)[0]}` } } },
    Outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])),
  });

beforeAll(async () => {
  if (skip.skip) return;
  // The template the deploy would create (infra's synth program, as `pnpm synth` runs it).
  const synth = spawnSync(process.execPath, [INFRA_SYNTH, '-o', join(dir.path, 'cdk.out'), '--no-nag'], {
    encoding: 'utf8',
  });
  assert.equal(synth.status, 0, synth.stderr);
  writeFileSync(templatePath, readFileSync(join(dir.path, 'cdk.out', 'Callthemes.template.json')));
  plan = deployPlanFrom(parseTemplate(readFileSync(templatePath, 'utf8'), templatePath));

  moto = await startMotoServer();
  quotas = await startServiceQuotasStandIn([
    { name: 'ml.g5.xlarge for endpoint usage', code: 'L-1A2B3C4D', defaultValue: 0 },
    { name: 'ml.g6.xlarge for endpoint usage', code: 'L-2B3C4D5E', defaultValue: 0 },
    { name: `${TYPE} for endpoint usage`, code: 'L-3C4D5E6F', defaultValue: 0 },
    { name: 'ml.g6e.2xlarge for endpoint usage', code: 'L-4D5E6F70', defaultValue: 0 },
  ]);
  const aws = moto.clientConfig;
  s3 = new S3Client({ ...aws, forcePathStyle: true });
  cfn = new CloudFormationClient(aws);
  deps = {
    cfn,
    quotas: new ServiceQuotasClient({ ...aws, endpoint: quotas.url }),
    s3,
    ecr: new ECRClient(aws),
    docker: async () => false,
    stackName: 'Callthemes',
  };
}, 180_000);
afterAll(async () => {
  await quotas?.stop();
  await moto?.stop();
  dir.cleanup();
});

test('the deploy plan comes from the synthesized template', skip, () => {
  assert.deepEqual(plan, {
    instanceTypes: [TYPE],
    maxInstances: DEFAULT_CONFIG.inferenceMaxInstances,
    models: [DEFAULT_CONFIG.llmModel, DEFAULT_CONFIG.embedModel, DEFAULT_CONFIG.classifyModel],
    staged: true,
    servingImageUri: undefined,
    assetImages: 3,
  });
});

test('a fresh account: every check fails with what to run or request', skip, async () => {
  const checks = await runDoctor(deps, plan);
  const line = (c: string) => checks.filter((x) => x.check === c).map((x) => `${x.state} ${x.line}`);
  assert.deepEqual(line('bootstrap'), [
    'fail no CDKToolkit stack in this region: run: pnpm --filter @callthemes/infra exec cdk bootstrap',
  ]);
  assert.deepEqual(line('quota'), [
    `fail "${TYPE} for endpoint usage" is 0, the endpoint scales to ${plan.maxInstances}: request it — aws service-quotas ` +
      `request-service-quota-increase --service-code sagemaker --quota-code L-3C4D5E6F --desired-value ${plan.maxInstances}`,
  ]);
  // The quota was found on the second page of defaults, then asked for the account's value.
  assert.deepEqual(quotas.calls, [
    'ListAWSDefaultServiceQuotas',
    'ListAWSDefaultServiceQuotas',
    'GetServiceQuota',
  ]);
  assert.equal(line('weights').length, 1);
  assert.match(
    line('weights')[0],
    /^fail no stack Callthemes yet, so no bucket to stage into: deploy with -c callthemes:inferenceEndpoint=off, then pnpm producer stage-models --model Qwen\/Qwen3-8B-FP8 --revision <commit>; /,
  );
  assert.deepEqual(line('images'), [
    'fail no Docker daemon: the deploy builds 3 image(s) — start Docker (or build on a machine that has it; for the serving image, push it and set -c inferenceImageUri=…)',
  ]);
});

test(
  'a prepared account passes; a staged file gone is named with the command that restores it',
  skip,
  async () => {
    const repo = 'cdk-hnb659fds-container-assets-123456789012-us-east-1';
    await cfn.send(
      new CreateStackCommand({
        StackName: 'CDKToolkit',
        TemplateBody: stackTemplate({
          BootstrapVersion: '30',
          ImageRepositoryName: repo,
          BucketName: 'cdk-assets',
        }),
      }),
    );
    await deps.ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
    await s3.send(new CreateBucketCommand({ Bucket: 'lake-bucket' }));
    await cfn.send(
      new CreateStackCommand({
        StackName: 'Callthemes',
        TemplateBody: stackTemplate({ InferenceBucket: 'lake-bucket' }),
      }),
    );
    quotas.quotas[2].applied = plan.maxInstances;
    // Each model staged from a tiny snapshot (the staging itself is tested in test/models).
    const commit = 'c'.repeat(40);
    for (const model of plan.models) {
      const snap = join(dir.path, 'snap', model, commit);
      mkdirSync(snap, { recursive: true });
      writeFileSync(join(snap, 'config.json'), JSON.stringify({ model }));
      writeFileSync(join(snap, 'model.safetensors'), Buffer.alloc(4096, 7));
      await stageModel({ model, from: snap, workDir: join(dir.path, 'w'), s3, bucket: 'lake-bucket' });
    }
    const ready = await runDoctor({ ...deps, docker: async () => true }, plan);
    assert.deepEqual(
      ready.filter((c) => c.state !== 'ok').map((c) => c.line),
      [],
    );
    assert.deepEqual(
      ready.map((c) => c.check),
      ['bootstrap', 'quota', 'weights', 'weights', 'weights', 'images', 'images'],
    );
    const max = plan.maxInstances;
    assert.match(ready[1].line, new RegExp(`"${TYPE} for endpoint usage" is ${max} ≥ ${max}`));
    assert.match(ready[2].line, /^Qwen\/Qwen3-8B-FP8@cccccccccccc staged: 2 files, 0\.00 GB$/);

    await s3.send(
      new DeleteObjectCommand({ Bucket: 'lake-bucket', Key: 'models/Qwen3-Embedding-8B/model.safetensors' }),
    );
    const gone = await runDoctor({ ...deps, docker: async () => true }, plan);
    assert.deepEqual(
      gone.filter((c) => c.state === 'fail').map((c) => c.line),
      [
        `${DEFAULT_CONFIG.embedModel}@cccccccccccc: 1 of 2 files missing or resized (model.safetensors): run pnpm producer stage-models --model ${DEFAULT_CONFIG.embedModel} --revision ${commit}`,
      ],
    );
  },
);

test('the command: one line per check, exit 1 while one fails', skip, async () => {
  const env = {
    ...moto.env,
    AWS_ENDPOINT_URL_SERVICE_QUOTAS: quotas.url,
    CALLTHEMES_DOCKER: 'true',
  } as Record<string, string>;
  const r = await runCli(['doctor', '--template', templatePath], env);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^ok {4}bootstrap +CDKToolkit version 30$/);
  assert.ok(
    lines.some((l) =>
      /^FAIL {2}weights +Qwen\/Qwen3-Embedding-8B@cccccccccccc: 1 of 2 files missing/.test(l),
    ),
    r.stdout,
  );
  assert.equal(lines.at(-1), 'doctor: 1 check(s) to fix before the deploy');
});
