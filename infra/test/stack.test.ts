import assert from 'node:assert/strict';
import { TABLE_NAMES, TABLES } from '@callthemes/common/lake';
import { tempDir } from '@callthemes/common/testing/paths';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, test } from 'vitest';
import { buildApp } from '../src/app.js';
import { JOB_ATTEMPTS } from '../src/jobs.js';

let t: Template;
let json: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

beforeAll(() => {
  // One synth for the file; cdk-nag's AwsSolutions pack runs in it and fails the synth on any finding.
  const out = tempDir('callthemes-cdk-');
  const { app, stack } = buildApp({ outdir: out.path });
  app.synth();
  t = Template.fromStack(stack);
  json = t.toJSON() as typeof json;
  out.cleanup();
});

const ofType = (type: string) => Object.values(json.Resources).filter((r) => r.Type === type);

test('lake bucket: encrypted, public access blocked, TLS only, lifecycle rules', () => {
  t.hasResourceProperties('AWS::S3::Bucket', {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    LifecycleConfiguration: {
      Rules: Match.arrayWith([
        Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
        Match.objectLike({ Prefix: 'athena-results/', ExpirationInDays: 30 }),
      ]),
    },
  });
  t.hasResourceProperties('AWS::S3::BucketPolicy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    },
  });
});

test('Glue: one table per lake table, columns from the schema, partition projection on quarter', () => {
  const tables = ofType('AWS::Glue::Table');
  assert.equal(tables.length, TABLE_NAMES.length);
  for (const name of TABLE_NAMES) {
    const table = tables.find((x) => (x.Properties.TableInput as { Name: string }).Name === name);
    assert.ok(table, name);
    const input = table.Properties.TableInput as Record<string, any>;
    assert.deepEqual(
      input.StorageDescriptor.Columns.map((c: { Name: string }) => c.Name),
      TABLES[name].columns.map((c) => c.name),
    );
    assert.deepEqual(input.PartitionKeys, [{ Name: 'quarter', Type: 'string', Comment: 'YYYYQn' }]);
    assert.equal(input.Parameters['projection.enabled'], 'true');
    assert.equal(input.Parameters['projection.quarter.type'], 'enum');
    const values = String(input.Parameters['projection.quarter.values']).split(',');
    assert.equal(values.length, 31 * 4);
    assert.deepEqual([values[0], values.at(-1)], ['2000Q1', '2030Q4']);
  }
  const topics = tables.find((x) => (x.Properties.TableInput as { Name: string }).Name === 'topics')!;
  const cols = (topics.Properties.TableInput as any).StorageDescriptor.Columns;
  assert.equal(cols.find((c: { Name: string }) => c.Name === 'centroid').Type, 'array<float>');
});

test('Athena workgroup: enforced result location, SSE, per-query scan cutoff', () => {
  t.hasResourceProperties('AWS::Athena::WorkGroup', {
    WorkGroupConfiguration: {
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
      ResultConfiguration: {
        OutputLocation: Match.anyValue(),
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
      },
    },
  });
});

test('network: one AZ, no NAT gateway, an S3 gateway endpoint', () => {
  t.resourceCountIs('AWS::EC2::NatGateway', 0);
  t.resourceCountIs('AWS::EC2::Subnet', 1);
  t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
  t.resourceCountIs('AWS::EC2::VPCEndpoint', 1);
});

test('Batch: spot, capacity-optimized, several instance types, scales to 0, encrypted volumes deleted', () => {
  t.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
    Type: 'managed',
    ComputeResources: Match.objectLike({
      Type: 'SPOT',
      AllocationStrategy: 'SPOT_CAPACITY_OPTIMIZED',
      MinvCpus: 0,
      InstanceTypes: Match.arrayWith(['c7i.xlarge', 'c6i.xlarge', 'm7i.xlarge']),
    }),
  });
  const templates = ofType('AWS::EC2::LaunchTemplate');
  assert.equal(templates.length, 2, 'Batch hosts and GPU hosts');
  for (const lt of templates) {
    const data = lt.Properties.LaunchTemplateData as any;
    assert.deepEqual(data.BlockDeviceMappings[0].Ebs, {
      DeleteOnTermination: true,
      Encrypted: true,
      VolumeSize: data.BlockDeviceMappings[0].Ebs.VolumeSize,
      VolumeType: 'gp3',
    });
    assert.equal(data.MetadataOptions.HttpTokens, 'required');
  }
});

test('job definitions: the four stage commands, Ref:: parameters, retry on spot reclaim only', () => {
  const defs = ofType('AWS::Batch::JobDefinition');
  const commands = defs.map((d) => (d.Properties.ContainerProperties as { Command: unknown[] }).Command);
  assert.deepEqual(commands.map((c) => c[0]).sort(), ['batches', 'firm-batch', 'sentiment', 'themes']);
  const firm = commands.find((c) => c[0] === 'firm-batch')!;
  for (const [flag, value] of [
    ['--quarter', 'Ref::quarter'],
    ['--batch', 'Ref::batch'],
    ['--batch-size', 'Ref::batchSize'],
    ['--source', 'ectsum'],
    ['--llm-model', 'Qwen/Qwen3-8B-FP8'],
    ['--llm-url', 'http://llm.callthemes.local:8000/v1'],
    ['--embed-url', 'http://embed.callthemes.local:8001/v1'],
  ])
    assert.equal(firm[firm.indexOf(flag) + 1], value, flag);
  assert.ok(firm.includes('--lake') && firm.includes('--input'));
  for (const d of defs) {
    assert.deepEqual(d.Properties.RetryStrategy, {
      Attempts: JOB_ATTEMPTS,
      EvaluateOnExit: [
        { Action: 'RETRY', OnStatusReason: 'Host EC2*' },
        { Action: 'EXIT', OnReason: '*' },
      ],
    });
    assert.equal((d.Properties.ContainerProperties as { User: string }).User, '1000');
  }
});

test('inference: GPU spot capacity, two vLLM services at 0, Cloud Map names, thinking off, prefix caching', () => {
  t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
    MinSize: '0',
    MixedInstancesPolicy: {
      InstancesDistribution: {
        OnDemandPercentageAboveBaseCapacity: 0,
        SpotAllocationStrategy: 'capacity-optimized',
      },
      LaunchTemplate: Match.objectLike({
        Overrides: Match.arrayWith([{ InstanceType: 'g6.xlarge' }, { InstanceType: 'g5.xlarge' }]),
      }),
    },
  });
  const services = ofType('AWS::ECS::Service');
  assert.equal(services.length, 2);
  for (const s of services) assert.equal(s.Properties.DesiredCount, 0);
  t.resourceCountIs('AWS::ServiceDiscovery::Service', 2);
  const containers = ofType('AWS::ECS::TaskDefinition').map(
    (d) => (d.Properties.ContainerDefinitions as any[])[0],
  );
  const llm = containers.find((c) => c.Command.includes('--default-chat-template-kwargs'));
  assert.ok(llm, 'chat model container');
  assert.equal(
    llm.Command[llm.Command.indexOf('--default-chat-template-kwargs') + 1],
    '{"enable_thinking": false}',
  );
  assert.ok(llm.Command.includes('--enable-prefix-caching'));
  assert.deepEqual(llm.ResourceRequirements, [{ Type: 'GPU', Value: '1' }]);
  const embed = containers.find((c) => c.Command.includes('pooling'));
  assert.ok(embed?.Command.includes('Qwen/Qwen3-Embedding-8B'));
  // Only the Batch jobs' security group may reach the vLLM ports.
  const ingress = ofType('AWS::EC2::SecurityGroupIngress').map((r) => r.Properties);
  assert.deepEqual(ingress.map((r) => r.FromPort).sort(), [8000, 8001]);
  for (const r of ingress) assert.ok(r.SourceSecurityGroupId, 'from a security group, not a CIDR');
});

test('IAM: jobs reach only their prefixes; the state machine scales only its two services', () => {
  const policies = ofType('AWS::IAM::Policy');
  const statements = policies.flatMap((p) => (p.Properties.PolicyDocument as { Statement: any[] }).Statement);
  const lake = statements.find((s) => s.Sid === 'LakeReadWrite');
  assert.deepEqual([...lake.Action].sort(), [
    's3:AbortMultipartUpload',
    's3:DeleteObject',
    's3:GetObject',
    's3:PutObject',
  ]);
  const list = statements.find((s) => s.Sid === 'ListOwnPrefixes');
  assert.deepEqual(list.Condition.StringLike['s3:prefix'], ['lake/*', 'runs/*', 'input/*']);
  const scale = statements.filter(
    (s) => s.Action === 'ecs:updateService' || s.Action?.includes?.('ecs:updateService'),
  );
  const scaled = new Set(
    scale
      .flatMap((x) => (Array.isArray(x.Resource) ? x.Resource : [x.Resource]))
      .map((r) => JSON.stringify(r)),
  );
  assert.equal(scaled.size, 2, 'the two vLLM services, nothing else');
  for (const r of scaled) assert.match(r, /Service/);
  for (const s of statements) assert.notEqual(s.Action, '*');
  for (const s of statements) assert.ok(!(Array.isArray(s.Action) ? s.Action : [s.Action]).includes('s3:*'));
});

test('state machine: standard, logged and traced; Map with MaxConcurrencyPath; Catch scales down', () => {
  t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    StateMachineType: 'STANDARD',
    TracingConfiguration: { Enabled: true },
    LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
  });
  const sm = ofType('AWS::StepFunctions::StateMachine')[0];
  const text = JSON.stringify(sm.Properties.DefinitionString);
  for (const needle of [
    'MaxConcurrencyPath',
    'arn:',
    'batch:submitJob.sync',
    'ScaleDownLlmAfterFailure',
    'States.ALL',
    'aws-sdk:s3:getObject',
    'aws-sdk:ecs:updateService',
  ])
    assert.ok(text.includes(needle), needle);
});
