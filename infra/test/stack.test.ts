import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, STACK_OUTPUT_KEYS } from '@callthemes/common/config';
import { TABLE_NAMES, TABLES } from '@callthemes/common/lake';
import { tempDir } from '@callthemes/common/testing/paths';
import { Match } from 'aws-cdk-lib/assertions';
import { test } from 'vitest';
import { buildApp, nagErrors } from '../src/app.js';
import { ASSET_EXCLUDES, REPO_ROOT } from '../src/stack.js';
import { ofType, SERVING_FIXTURE, synthesize, synthesizedStack } from './synth.js';

const s = synthesizedStack();

const byId = (id: string) => s.json.Resources[id];
/** Logical id of the queue whose path contains `name` (Partitions/Queue, Themes/Dlq, …). */
const queueId = (name: string) => {
  const ids = ofType(s.json, 'AWS::SQS::Queue')
    .map(([id]) => id)
    .filter((id) => id.startsWith(`Queues${name}`));
  assert.equal(ids.length, 1, name);
  return ids[0];
};

test('no Step Functions, no Batch, no NAT gateway, no vLLM-on-ECS: the shape is the SQS fleet', () => {
  const types = new Set(Object.values(s.json.Resources).map((r) => r.Type));
  for (const t of types) assert.ok(!/StepFunctions|Batch|AutoScaling::AutoScalingGroup/.test(t), t);
  s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
  s.template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  s.template.resourceCountIs('AWS::SQS::Queue', 4);
  s.template.resourceCountIs('AWS::ECS::Service', 2);
  s.template.resourceCountIs('AWS::SageMaker::Endpoint', 1);
});

test('queues: partitions and themes, each with a DLQ after 3 receives, 1 MiB, SSE, longer DLQ retention', () => {
  for (const [name, seconds] of [
    ['Partitions', 1800],
    ['Themes', 2700],
  ] as const) {
    const queue = byId(queueId(`${name}Queue`)).Properties;
    const dlqId = queueId(`${name}Dlq`);
    assert.deepEqual(queue.RedrivePolicy, {
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: 3,
    });
    // 3 × the measured time (600 s per partition, 900 s per theme message by default).
    assert.equal(queue.VisibilityTimeout, seconds);
    assert.equal(queue.MaximumMessageSize, 1024 * 1024);
    assert.equal(queue.SqsManagedSseEnabled, true);
    assert.equal(queue.MessageRetentionPeriod, 4 * 86400);
    assert.equal(queue.ReceiveMessageWaitTimeSeconds, 20);
    const dlq = byId(dlqId).Properties;
    assert.equal(dlq.MessageRetentionPeriod, 14 * 86400);
    assert.equal(dlq.MaximumMessageSize, 1024 * 1024);
    assert.equal(dlq.SqsManagedSseEnabled, true);
  }
  // TLS only on every queue.
  assert.equal(
    ofType(s.json, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('aws:SecureTransport'),
    ).length,
    4,
  );
});

test('visibility timeout follows the measured partition time (context partitionSeconds)', () => {
  const other = synthesize({ 'callthemes:partitionSeconds': 50 });
  try {
    const [, q] = ofType(other.json, 'AWS::SQS::Queue').find(([id]) =>
      id.startsWith('QueuesPartitionsQueue'),
    )!;
    assert.equal(q.Properties.VisibilityTimeout, 300); // 3 × 50 s is under the 5-minute floor
  } finally {
    other.cleanup();
  }
});

test('counters: pk (String) only, on demand, point-in-time recovery', () => {
  const [[, table]] = ofType(s.json, 'AWS::DynamoDB::GlobalTable');
  assert.deepEqual(table.Properties.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }]);
  assert.deepEqual(table.Properties.AttributeDefinitions, [{ AttributeName: 'pk', AttributeType: 'S' }]);
  assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST');
  assert.deepEqual(table.Properties.Replicas[0].PointInTimeRecoverySpecification, {
    PointInTimeRecoveryEnabled: true,
  });
});

const EXPECTED_ENV = [
  'CALLTHEMES_COUNTERS_TABLE',
  'CALLTHEMES_EMBED_MODEL',
  'CALLTHEMES_FIRM_WORKER_SERVICE',
  'CALLTHEMES_INFERENCE',
  'CALLTHEMES_INFERENCE_BUCKET',
  'CALLTHEMES_INFERENCE_MAX_CONCURRENT_PER_INSTANCE',
  'CALLTHEMES_LAKE',
  'CALLTHEMES_LLM_MODEL',
  'CALLTHEMES_PARTITIONS_QUEUE_URL',
  'CALLTHEMES_SENTIMENT_MODEL',
  'CALLTHEMES_THEMES_QUEUE_URL',
  'CALLTHEMES_THEME_WORKER_SERVICE',
];

test('workers: Fargate Spot services at 0, stopTimeout 120 s, the bins, exactly the fleet environment', () => {
  s.template.hasResourceProperties('AWS::ECS::Cluster', {
    ClusterName: 'callthemes',
    ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
  });
  s.template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
    CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
  });
  const services = ofType(s.json, 'AWS::ECS::Service').map(([, r]) => r.Properties);
  assert.deepEqual(services.map((p) => p.ServiceName).sort(), ['firm-worker', 'theme-worker']);
  for (const p of services) {
    assert.deepEqual(p.CapacityProviderStrategy, [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
    // No fixed count: an update would apply it again mid-run (deploy-hazards.test.ts).
    assert.equal(p.DesiredCount, undefined);
    assert.equal(p.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp, 'ENABLED');
    assert.equal(p.LaunchType, undefined);
  }
  const tasks = ofType(s.json, 'AWS::ECS::TaskDefinition').map(([, r]) => r.Properties);
  const commands = tasks.map((t) => t.ContainerDefinitions[0].Command.join(' ')).sort();
  assert.deepEqual(commands, [
    'node packages/firm-worker/bin/firm-worker.js',
    'node packages/theme-worker/bin/theme-worker.js',
  ]);
  for (const t of tasks) {
    const c = t.ContainerDefinitions[0];
    assert.equal(c.StopTimeout, 120);
    assert.deepEqual(c.Environment.map((e: { Name: string }) => e.Name).sort(), EXPECTED_ENV);
    const env = Object.fromEntries(
      c.Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]),
    );
    assert.equal(env.CALLTHEMES_FIRM_WORKER_SERVICE, 'callthemes/firm-worker');
    assert.equal(env.CALLTHEMES_THEME_WORKER_SERVICE, 'callthemes/theme-worker');
    assert.equal(env.CALLTHEMES_INFERENCE, 'sagemaker:callthemes-inference');
    assert.deepEqual(
      [env.CALLTHEMES_LLM_MODEL, env.CALLTHEMES_EMBED_MODEL, env.CALLTHEMES_SENTIMENT_MODEL],
      ['Qwen/Qwen3-8B-FP8', 'Qwen/Qwen3-Embedding-8B', 'yiyanghkust/finbert-tone'],
    );
    assert.deepEqual(env.CALLTHEMES_LAKE, {
      'Fn::Join': [
        '',
        [
          's3://',
          { Ref: Object.keys(s.json.Resources).find((id) => /^LakeBucket[0-9A-F]{8}$/.test(id)) },
          '/lake',
        ],
      ],
    });
    assert.equal(c.LogConfiguration.LogDriver, 'awslogs');
    assert.deepEqual(t.RequiresCompatibilities, ['FARGATE']);
  }
  for (const [, lg] of ofType(s.json, 'AWS::Logs::LogGroup')) assert.equal(lg.Properties.RetentionInDays, 30);
});

test('models chosen in context reach the endpoint and the workers alike (the ids the workers request)', () => {
  const other = synthesize({
    'callthemes:llmModel': 'Qwen/Qwen3-14B-FP8',
    'callthemes:embedModel': 'Qwen/Qwen3-Embedding-4B',
    'callthemes:classifyModel': 'ProsusAI/finbert',
  });
  try {
    const [[, model]] = ofType(other.json, 'AWS::SageMaker::Model');
    const served = model.Properties.PrimaryContainer.Environment;
    for (const [, t] of ofType(other.json, 'AWS::ECS::TaskDefinition')) {
      const env = Object.fromEntries(
        t.Properties.ContainerDefinitions[0].Environment.map((e: { Name: string; Value: unknown }) => [
          e.Name,
          e.Value,
        ]),
      );
      assert.deepEqual(
        [env.CALLTHEMES_LLM_MODEL, env.CALLTHEMES_EMBED_MODEL, env.CALLTHEMES_SENTIMENT_MODEL],
        [served.CALLTHEMES_CHAT_MODEL, served.CALLTHEMES_EMBED_MODEL, served.CALLTHEMES_CLASSIFY_MODEL],
      );
      assert.equal(env.CALLTHEMES_LLM_MODEL, 'Qwen/Qwen3-14B-FP8');
    }
  } finally {
    other.cleanup();
  }
});

test('a FARGATE base under the spot tasks when fargateBaseTasks > 0 (firm service only)', () => {
  const other = synthesize({ 'callthemes:fargateBaseTasks': 1 });
  try {
    const firm = ofType(other.json, 'AWS::ECS::Service').find(
      ([, r]) => r.Properties.ServiceName === 'firm-worker',
    )!;
    assert.deepEqual(firm[1].Properties.CapacityProviderStrategy, [
      { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      { CapacityProvider: 'FARGATE', Base: 1, Weight: 0 },
    ]);
  } finally {
    other.cleanup();
  }
});

test('worker scaling: 0..N on backlog per task (metric math) and a step policy that leaves zero', () => {
  const targets = ofType(s.json, 'AWS::ApplicationAutoScaling::ScalableTarget').map(([, r]) => r.Properties);
  const ecs = targets.filter((p) => p.ServiceNamespace === 'ecs');
  assert.deepEqual(ecs.map((p) => [p.ResourceId, p.MinCapacity, p.MaxCapacity]).sort(), [
    ['service/callthemes/firm-worker', 0, 20],
    ['service/callthemes/theme-worker', 0, 1],
  ]);
  const policies = ofType(s.json, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, r]) => r.Properties);
  const tracking = policies.filter((p) => p.PolicyName?.endsWith('backlog-per-task'));
  assert.equal(tracking.length, 2);
  for (const p of tracking) {
    const spec = p.TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification;
    const math = spec.Metrics.find((m: { ReturnData: boolean }) => m.ReturnData);
    assert.equal(math.Expression, '(v + nv) / IF(r > 0, r, 1)');
    const names = spec.Metrics.filter((m: any) => m.MetricStat).map(
      (m: any) => m.MetricStat.Metric.MetricName,
    );
    assert.deepEqual(names, [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'RunningTaskCount',
    ]);
  }
  const firmTracking = tracking.find((p) => p.PolicyName === 'firm-worker-backlog-per-task')!;
  assert.equal(firmTracking.TargetTrackingScalingPolicyConfiguration.TargetValue, 2);
  // Step policies: +1 when the alarm (messages visible and no running task) fires.
  const fromZero = ofType(s.json, 'AWS::CloudWatch::Alarm').filter(([id]) =>
    /WorkerScalingFromZero/.test(id),
  );
  assert.equal(fromZero.length, 2);
  for (const [, a] of fromZero) {
    const expr = a.Properties.Metrics.find((m: { Expression?: string }) => m.Expression);
    assert.equal(expr.Expression, 'IF(v > 0 AND FILL(r, 0) < 1, 1, 0)');
    assert.equal(a.Properties.Threshold, 1);
    assert.equal(a.Properties.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
  }
  const steps = policies.filter((p) => p.PolicyType === 'StepScaling');
  assert.equal(steps.length, 3); // two services and the endpoint
  for (const p of steps)
    assert.deepEqual(p.StepScalingPolicyConfiguration.StepAdjustments, [
      { MetricIntervalLowerBound: 0, ScalingAdjustment: 1 },
    ]);
});

test('IAM: each worker consumes its queue, sends to the other and raises the other service; task protection', () => {
  const policyOf = (role: string) => {
    const [, p] = ofType(s.json, 'AWS::IAM::Policy').find(([id]) =>
      id.startsWith(`${role}TaskTaskRoleDefaultPolicy`),
    )!;
    return p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
  };
  const actionsOn = (stmts: { Action: string | string[]; Resource: unknown }[], id: string) =>
    stmts
      .filter((st) => JSON.stringify(st.Resource).includes(id))
      .flatMap((st) => (Array.isArray(st.Action) ? st.Action : [st.Action]));
  const firm = policyOf('FirmWorker');
  const theme = policyOf('ThemeWorker');
  const partitions = queueId('PartitionsQueue');
  const themes = queueId('ThemesQueue');
  assert.ok(actionsOn(firm, partitions).includes('sqs:ReceiveMessage'));
  assert.ok(actionsOn(firm, partitions).includes('sqs:ChangeMessageVisibility'));
  assert.ok(!actionsOn(firm, themes).includes('sqs:ReceiveMessage'));
  assert.ok(actionsOn(firm, themes).includes('sqs:SendMessage'));
  assert.ok(actionsOn(theme, themes).includes('sqs:ReceiveMessage'));
  assert.ok(actionsOn(theme, partitions).includes('sqs:SendMessage'));
  const serviceId = (name: string) => `:service/callthemes/${name}"`;
  const ecsOn = (stmts: typeof firm, id: string) => actionsOn(stmts, id).filter((a) => a.startsWith('ecs:'));
  // Each raises the other's desired count when it sends it work (SQS metrics of an idle queue lag).
  assert.deepEqual(ecsOn(firm, serviceId('theme-worker')), ['ecs:DescribeServices', 'ecs:UpdateService']);
  // The firm worker reads its own service's running count (its share of the endpoint's concurrency).
  assert.deepEqual(ecsOn(firm, serviceId('firm-worker')), ['ecs:DescribeServices']);
  assert.deepEqual(ecsOn(theme, serviceId('firm-worker')), ['ecs:DescribeServices', 'ecs:UpdateService']);
  assert.deepEqual(ecsOn(theme, serviceId('theme-worker')), []);
  // Scale-in protection through the agent endpoint, on the cluster's tasks only.
  for (const stmts of [firm, theme]) {
    const protect = stmts.find((st) => JSON.stringify(st.Action).includes('ecs:UpdateTaskProtection'))!;
    assert.deepEqual(protect.Action, ['ecs:GetTaskProtection', 'ecs:UpdateTaskProtection']);
    assert.match(JSON.stringify(protect.Resource), /:task\/callthemes\/\*"/);
  }
  for (const stmts of [firm, theme]) {
    const invoke = stmts.find((st) => st.Action === 'sagemaker:InvokeEndpointAsync');
    assert.ok(invoke);
    assert.match(JSON.stringify(invoke.Resource), /endpoint\/callthemes-inference/);
    // The cold start's signal: the endpoint's instance count.
    const describe = stmts.find((st) => st.Action === 'sagemaker:DescribeEndpoint');
    assert.ok(describe);
    assert.match(JSON.stringify(describe.Resource), /endpoint\/callthemes-inference"/);
    assert.ok(!stmts.some((st) => st.Resource === '*'), 'no statement on every resource');
  }
});

test('inference: async endpoint config (S3 output/failure, SNS topics, concurrency), ml.g6e.xlarge, startup window', () => {
  const [[, config]] = ofType(s.json, 'AWS::SageMaker::EndpointConfig');
  const async = config.Properties.AsyncInferenceConfig;
  assert.equal(async.ClientConfig.MaxConcurrentInvocationsPerInstance, 16);
  assert.match(JSON.stringify(async.OutputConfig.S3OutputPath), /inference\/responses/);
  assert.match(JSON.stringify(async.OutputConfig.S3FailurePath), /inference\/failures/);
  const topics = ofType(s.json, 'AWS::SNS::Topic')
    .map(([id]) => id)
    .filter((id) => id.startsWith('Inference'));
  assert.deepEqual(
    [
      async.OutputConfig.NotificationConfig.SuccessTopic.Ref,
      async.OutputConfig.NotificationConfig.ErrorTopic.Ref,
    ].sort(),
    topics.sort(),
  );
  const [variant] = config.Properties.ProductionVariants;
  assert.equal(variant.InstanceType, 'ml.g6e.xlarge');
  assert.equal(variant.ContainerStartupHealthCheckTimeoutInSeconds, 1800);
  assert.equal(variant.VariantName, 'AllTraffic');
  s.template.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'callthemes-inference' });
  const [[, model]] = ofType(s.json, 'AWS::SageMaker::Model');
  assert.deepEqual(model.Properties.PrimaryContainer.Environment, {
    CALLTHEMES_CHAT_MODEL: 'Qwen/Qwen3-8B-FP8',
    HF_HUB_OFFLINE: '1',
    VLLM_NO_USAGE_STATS: '1',
    CALLTHEMES_EMBED_MODEL: 'Qwen/Qwen3-Embedding-8B',
    CALLTHEMES_CLASSIFY_MODEL: 'yiyanghkust/finbert-tone',
  });
});

test('inference scaling: 0..N on ApproximateBacklogSizePerInstance, step on HasBacklogWithoutCapacity', () => {
  s.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    ServiceNamespace: 'sagemaker',
    ResourceId: 'endpoint/callthemes-inference/variant/AllTraffic',
    ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    MinCapacity: 0,
    // The one setting the estimate sizes (a 5,000-firm quarter under an hour within $100; producer's sizing test).
    MaxCapacity: DEFAULT_CONFIG.inferenceMaxInstances,
  });
  s.template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: Match.objectLike({
      TargetValue: 5,
      CustomizedMetricSpecification: Match.objectLike({
        MetricName: 'ApproximateBacklogSizePerInstance',
        Namespace: 'AWS/SageMaker',
        Dimensions: [{ Name: 'EndpointName', Value: 'callthemes-inference' }],
      }),
    }),
  });
  const [[, alarm]] = ofType(s.json, 'AWS::CloudWatch::Alarm').filter(([id]) =>
    id.startsWith('InferenceScalingFromZero'),
  );
  assert.equal(alarm.Properties.MetricName, 'HasBacklogWithoutCapacity');
  assert.equal(alarm.Properties.Period, 60);
  assert.equal(alarm.Properties.Threshold, 1);
});

test('inference: several instance types become instance pools; a pushed image replaces the asset', () => {
  const other = synthesize({
    'callthemes:inferenceInstanceTypes': 'ml.g6e.xlarge,ml.g6e.2xlarge',
    inferenceImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/callthemes-serving:v1',
  });
  try {
    const [[, config]] = ofType(other.json, 'AWS::SageMaker::EndpointConfig');
    const [variant] = config.Properties.ProductionVariants;
    assert.equal(variant.InstanceType, undefined);
    assert.deepEqual(variant.InstancePools, [
      { InstanceType: 'ml.g6e.xlarge', Priority: 1 },
      { InstanceType: 'ml.g6e.2xlarge', Priority: 2 },
    ]);
    const [[, model]] = ofType(other.json, 'AWS::SageMaker::Model');
    assert.equal(
      model.Properties.PrimaryContainer.Image,
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/callthemes-serving:v1',
    );
  } finally {
    other.cleanup();
  }
  assert.throws(() => synthesize({ servingImageDir: 'infra/test/no-such-dir' }), /servingImageDir/);
});

test('images: each worker built from the repository by its target of the worker Dockerfile, without node_modules, caches or the lake', () => {
  const assets = JSON.parse(readFileSync(join(s.outdir, 'Callthemes.assets.json'), 'utf8'));
  const images = Object.values(assets.dockerImages) as {
    source: { directory: string; dockerFile?: string; dockerBuildTarget?: string };
  }[];
  const files = images
    .map(
      (i) =>
        `${i.source.dockerFile ?? 'Dockerfile'}${i.source.dockerBuildTarget ? ` ${i.source.dockerBuildTarget}` : ''}`,
    )
    .sort();
  assert.deepEqual(files, ['Dockerfile', 'worker.Dockerfile firm-worker', 'worker.Dockerfile theme-worker']);
  for (const img of images.filter((i) => i.source.dockerFile)) {
    const dir = join(s.outdir, img.source.directory);
    assert.ok(existsSync(join(dir, img.source.dockerFile!)));
    assert.ok(existsSync(join(dir, 'pnpm-lock.yaml')));
    assert.ok(existsSync(join(dir, 'packages', 'common', 'src')));
    const found: string[] = [];
    const walk = (d: string, depth: number) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (!e.isDirectory()) continue;
        const banned = [
          'node_modules',
          '.cache',
          'cdk.out',
          'dist',
          '.git',
          ...(depth === 0 ? ['lake'] : []),
        ];
        if (banned.includes(e.name) || e.name.startsWith('.venv')) found.push(join(d, e.name));
        else if (depth < 4) walk(join(d, e.name), depth + 1);
      }
    };
    walk(dir, 0);
    assert.deepEqual(found, []);
  }
});

test('the root .dockerignore (docker build by hand) excludes what the image assets exclude', () => {
  const lines = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(lines, ASSET_EXCLUDES);
});

test('lake bucket: encrypted, TLS only, lifecycle for inference prefixes and aborted uploads', () => {
  s.template.hasResourceProperties('AWS::S3::Bucket', {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
    LifecycleConfiguration: {
      Rules: Match.arrayWith([
        Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
        Match.objectLike({ Prefix: 'inference/requests/', ExpirationInDays: 2 }),
        Match.objectLike({ Prefix: 'inference/responses/', ExpirationInDays: 2 }),
        Match.objectLike({ Prefix: 'inference/failures/', ExpirationInDays: 14 }),
        Match.objectLike({ Prefix: 'athena-results/', ExpirationInDays: 30 }),
      ]),
    },
  });
  s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    },
  });
});

test('Glue: one table per lake table, columns from the schema, partition projection on quarter', () => {
  const tables = ofType(s.json, 'AWS::Glue::Table').map(([, r]) => r);
  assert.equal(tables.length, TABLE_NAMES.length);
  for (const name of TABLE_NAMES) {
    const table = tables.find((x) => x.Properties.TableInput.Name === name);
    assert.ok(table, name);
    const input = table.Properties.TableInput;
    assert.deepEqual(
      input.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name),
      TABLES[name].columns.map((c) => c.name),
    );
    assert.equal(input.Parameters['projection.enabled'], 'true');
    const values = String(input.Parameters['projection.quarter.values']).split(',');
    assert.deepEqual([values.length, values[0], values.at(-1)], [124, '2000Q1', '2030Q4']);
  }
  s.template.hasResourceProperties('AWS::Athena::WorkGroup', {
    WorkGroupConfiguration: Match.objectLike({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
    }),
  });
});

test('network: public subnets, no NAT, S3 and DynamoDB gateway endpoints, outbound-only security group', () => {
  s.template.resourceCountIs('AWS::EC2::NatGateway', 0);
  const subnets = ofType(s.json, 'AWS::EC2::Subnet');
  assert.equal(subnets.length, 2);
  for (const [, sn] of subnets) assert.equal(sn.Properties.MapPublicIpOnLaunch, true);
  const endpoints = ofType(s.json, 'AWS::EC2::VPCEndpoint').map(([, r]) =>
    JSON.stringify(r.Properties.ServiceName),
  );
  assert.equal(endpoints.length, 2);
  assert.ok(endpoints.some((e) => e.includes('.s3')) && endpoints.some((e) => e.includes('.dynamodb')));
  const [[, sg]] = ofType(s.json, 'AWS::EC2::SecurityGroup');
  assert.equal(sg.Properties.SecurityGroupIngress, undefined);
});

test('dashboard: queues, DLQs, running tasks, endpoint backlog and instances, completions per quarter', () => {
  const [[, dash]] = ofType(s.json, 'AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(dash.Properties.DashboardBody);
  for (const needle of [
    'ApproximateNumberOfMessagesVisible',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateAgeOfOldestMessage',
    'RunningTaskCount',
    'ApproximateBacklogSize',
    'HasBacklogWithoutCapacity',
    'instances reporting',
    `SEARCH('{Callthemes,Quarter} MetricName=\\\\\\"PartitionsCompleted\\\\\\"'`,
    `SEARCH('{Callthemes,Quarter} MetricName=\\\\\\"FirmsCompleted\\\\\\"'`,
  ])
    assert.ok(body.includes(needle), needle);
  assert.equal(dash.Properties.DashboardName, 'Callthemes-fleet');
});

test('alarms: any DLQ message; a stuck quarter = backlog AND nothing completed for 30 minutes', () => {
  const alarms = ofType(s.json, 'AWS::CloudWatch::Alarm');
  const dlq = alarms.filter(([id]) => /DlqAlarm/.test(id)).map(([, a]) => a.Properties);
  assert.equal(dlq.length, 2);
  for (const a of dlq) {
    assert.equal(a.MetricName, 'ApproximateNumberOfMessagesVisible');
    assert.equal(a.Threshold, 0);
    assert.equal(a.ComparisonOperator, 'GreaterThanThreshold');
    assert.match(JSON.stringify(a.Dimensions), /QueuesPartitionsDlq|QueuesThemesDlq/);
  }
  const [[backlogId, backlog]] = alarms.filter(([id]) => id.startsWith('MonitoringPartitionsBacklog'));
  const [[nothingId, nothing]] = alarms.filter(([id]) => id.startsWith('MonitoringNothingCompleted'));
  assert.equal(backlog.Properties.Metrics.find((m: any) => m.ReturnData !== false).Expression, 'v + nv');
  assert.equal(backlog.Properties.EvaluationPeriods * 5, 30);
  const query = nothing.Properties.Metrics[0].Expression;
  assert.equal(query, 'SELECT SUM(PartitionsCompleted) FROM SCHEMA("Callthemes", Quarter)');
  assert.equal(nothing.Properties.TreatMissingData, 'breaching');
  assert.equal(nothing.Properties.EvaluationPeriods * 5, 30);
  const [[, composite]] = ofType(s.json, 'AWS::CloudWatch::CompositeAlarm');
  const rule = JSON.stringify(composite.Properties.AlarmRule);
  assert.ok(rule.includes(backlogId) && rule.includes(nothingId) && rule.includes(' AND '), rule);
});

test('outputs: the keys the producer reads', () => {
  assert.deepEqual(Object.keys(s.json.Outputs).sort(), [...STACK_OUTPUT_KEYS].sort());
  assert.equal(s.json.Outputs.FirmWorkerService.Value, 'callthemes/firm-worker');
  assert.equal(s.json.Outputs.ThemeWorkerService.Value, 'callthemes/theme-worker');
  assert.equal(s.json.Outputs.InferenceEndpoint.Value, 'callthemes-inference');
});

test('cdk-nag: the AwsSolutions pack passes with the reviewed acknowledgements, and fails without them', () => {
  const report = JSON.parse(readFileSync(join(s.outdir, 'validation-report.json'), 'utf8'));
  for (const p of report.pluginReports) assert.equal(p.conclusion, 'success', p.pluginName);
  assert.deepEqual(nagErrors(s.stack), []);
  const out = tempDir('callthemes-cdk-nag-');
  try {
    const bare = buildApp({
      outdir: out.path,
      context: { servingImageDir: SERVING_FIXTURE },
      acknowledge: false,
    });
    assert.throws(() => bare.app.synth(), /Validation failed|AwsSolutions-IAM5|AwsSolutions-ECS2/);
  } finally {
    out.cleanup();
  }
});
