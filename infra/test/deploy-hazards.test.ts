/**
 * Template assertions for the deploy hazards of issue 26 (items 7, 8, 10, 12): what the workers may do on the
 * inference prefixes versus what the invoker does, the staged weights and network isolation, the alerts topic,
 * and a redeploy that leaves the fleet's size alone.
 */
import assert from 'node:assert/strict';
import { FLEET_NAMES } from '@callthemes/common/config';
import { test } from 'vitest';
import { ofType, synthesize, synthesizedStack } from './synth.js';

const s = synthesizedStack();

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
const BUCKET_ARN = 'arn:aws:s3:::lake-bucket';

/** A statement's resources as ARN patterns, the lake bucket's `Fn::GetAtt … Arn` read as BUCKET_ARN. */
function resourcePatterns(resource: unknown): string[] {
  const one = (r: unknown): string => {
    if (typeof r === 'string') return r;
    const o = r as Record<string, any>;
    if (o['Fn::GetAtt'])
      return /^LakeBucket/.test(o['Fn::GetAtt'][0]) ? BUCKET_ARN : `<${o['Fn::GetAtt'][0]}>`;
    if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(one).join(o['Fn::Join'][0]);
    return JSON.stringify(o);
  };
  return list(resource).map(one);
}
const glob = (pattern: string, value: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);

/** IAM's answer for one action on one ARN under Allow statements (no Deny or conditions in these policies). */
function allows(statements: Statement[], action: string, arn: string): boolean {
  return statements.some(
    (st) =>
      st.Effect === 'Allow' &&
      list(st.Action).some((a) => glob(a, action)) &&
      resourcePatterns(st.Resource).some((r) => glob(r, arn)),
  );
}

const taskPolicy = (worker: 'FirmWorker' | 'ThemeWorker') => {
  const [, p] = ofType(s.json, 'AWS::IAM::Policy').find(([id]) =>
    id.startsWith(`${worker}TaskTaskRoleDefaultPolicy`),
  )!;
  return p.Properties.PolicyDocument.Statement as Statement[];
};

test('item 7: workers may do on inference/ what the async invoker does there, and delete only failures', () => {
  const object = (prefix: string) => `${BUCKET_ARN}/${prefix}0f3a-error.out`;
  for (const worker of ['FirmWorker', 'ThemeWorker'] as const) {
    const st = taskPolicy(worker);
    // async-invoker.ts: PutObject the request; HEAD/GET output and failure; DeleteObject a stale failure.
    assert.ok(allows(st, 's3:PutObject', object(FLEET_NAMES.inferenceRequests)), worker);
    for (const p of [FLEET_NAMES.inferenceResponses, FLEET_NAMES.inferenceFailures])
      assert.ok(allows(st, 's3:GetObject', object(p)), `${worker} get ${p}`);
    assert.ok(
      allows(st, 's3:DeleteObject', object(FLEET_NAMES.inferenceFailures)),
      `${worker} delete failures`,
    );
    // …and nothing more there: an answer SageMaker wrote is never the workers' to replace or delete.
    for (const p of [FLEET_NAMES.inferenceRequests, FLEET_NAMES.inferenceResponses])
      assert.ok(!allows(st, 's3:DeleteObject', object(p)), `${worker} must not delete ${p}`);
    assert.ok(!allows(st, 's3:PutObject', object(FLEET_NAMES.inferenceResponses)), worker);
    assert.ok(!allows(st, 's3:PutObject', object(FLEET_NAMES.inferenceFailures)), worker);
    assert.ok(!allows(st, 's3:GetObject', `${BUCKET_ARN}/${FLEET_NAMES.models}x/config.json`), worker);
  }
});

test('item 8: the model reads the staged weights (uncompressed S3 prefix) with network isolation on', () => {
  const [[, model]] = ofType(s.json, 'AWS::SageMaker::Model');
  const container = model.Properties.PrimaryContainer;
  assert.deepEqual(container.ModelDataSource.S3DataSource.S3DataType, 'S3Prefix');
  assert.deepEqual(container.ModelDataSource.S3DataSource.CompressionType, 'None');
  const uri = resourcePatterns(container.ModelDataSource.S3DataSource.S3Uri)[0];
  assert.match(uri, /^s3:\/\/\{"Ref":"LakeBucket[0-9A-F]{8}"\}\/models\/$/);
  assert.equal(container.ModelDataUrl, undefined);
  assert.equal(model.Properties.EnableNetworkIsolation, true);
  assert.equal(container.Environment.HF_HUB_OFFLINE, '1');
  const [, role] = ofType(s.json, 'AWS::IAM::Policy').find(([id]) =>
    id.startsWith('InferenceRoleDefaultPolicy'),
  )!;
  const st = role.Properties.PolicyDocument.Statement as Statement[];
  assert.ok(allows(st, 's3:GetObject', `${BUCKET_ARN}/models/Qwen3-8B-FP8/model-00001-of-00002.safetensors`));
  assert.ok(allows(st, 's3:ListBucket', BUCKET_ARN));
  assert.ok(!allows(st, 's3:PutObject', `${BUCKET_ARN}/models/Qwen3-8B-FP8/config.json`));
});

test('item 8: modelSource=hub downloads from the Hub (no model data, network on)', () => {
  const hub = synthesize({ 'callthemes:modelSource': 'hub' });
  try {
    const [[, model]] = ofType(hub.json, 'AWS::SageMaker::Model');
    assert.equal(model.Properties.PrimaryContainer.ModelDataSource, undefined);
    assert.equal(model.Properties.EnableNetworkIsolation, false);
    assert.equal(model.Properties.PrimaryContainer.Environment.HF_HUB_OFFLINE, undefined);
  } finally {
    hub.cleanup();
  }
  assert.throws(() => synthesize({ 'callthemes:modelSource': 'ftp' }), /modelSource ftp/);
});

test('inferenceEndpoint=off: everything but the model, endpoint and its scaling (first deploy, type change)', () => {
  const off = synthesize({ 'callthemes:inferenceEndpoint': 'off' });
  try {
    for (const type of [
      'AWS::SageMaker::Model',
      'AWS::SageMaker::EndpointConfig',
      'AWS::SageMaker::Endpoint',
    ])
      off.template.resourceCountIs(type, 0);
    const targets = ofType(off.json, 'AWS::ApplicationAutoScaling::ScalableTarget').map(
      ([, r]) => r.Properties.ServiceNamespace,
    );
    assert.deepEqual(targets, ['ecs', 'ecs']);
    off.template.resourceCountIs('AWS::SQS::Queue', 4);
    off.template.resourceCountIs('AWS::ECS::Service', 2);
    // The bucket the weights are staged into is there, with the same outputs.
    assert.deepEqual(Object.keys(off.json.Outputs).sort(), Object.keys(s.json.Outputs).sort());
  } finally {
    off.cleanup();
  }
});

test('item 10: one KMS-encrypted alerts topic, an optional e-mail subscription, every notifying alarm on it', () => {
  const topics = ofType(s.json, 'AWS::SNS::Topic');
  const [[alertsId, alerts]] = topics.filter(([id]) => id.startsWith('Alerts'));
  const [[keyId, key]] = ofType(s.json, 'AWS::KMS::Key');
  assert.equal(key.Properties.EnableKeyRotation, true);
  // Every topic (alerts, inference success and errors) is encrypted with the stack's key.
  for (const [id, t] of topics)
    assert.deepEqual(t.Properties.KmsMasterKeyId, { 'Fn::GetAtt': [keyId, 'Arn'] }, id);
  assert.ok(alerts);
  // CloudWatch may use the key to publish alarms.
  const cw = key.Properties.KeyPolicy.Statement.find(
    (st: any) => st.Principal?.Service === 'cloudwatch.amazonaws.com',
  );
  assert.deepEqual(list(cw.Action).sort(), ['kms:Decrypt', 'kms:GenerateDataKey*']);

  const params = (s.json as unknown as { Parameters: Record<string, any> }).Parameters;
  assert.equal(params.AlertEmail.Type, 'String');
  assert.equal(params.AlertEmail.Default, '');
  const [[, sub]] = ofType(s.json, 'AWS::SNS::Subscription');
  assert.equal(sub.Properties.Protocol, 'email');
  assert.deepEqual(sub.Properties.Endpoint, { Ref: 'AlertEmail' });
  assert.deepEqual(sub.Properties.TopicArn, { Ref: alertsId });
  const condition = (sub as unknown as { Condition: string }).Condition;
  const conditions = (s.json as unknown as { Conditions: Record<string, unknown> }).Conditions;
  assert.deepEqual(conditions[condition], {
    'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }],
  });

  // Every alarm either notifies the alerts topic, drives a scaling policy, or is one half of the composite.
  const composite = ofType(s.json, 'AWS::CloudWatch::CompositeAlarm');
  assert.equal(composite.length, 1);
  const rule = JSON.stringify(composite[0][1].Properties.AlarmRule);
  assert.deepEqual(composite[0][1].Properties.AlarmActions, [{ Ref: alertsId }]);
  const policies = new Set(ofType(s.json, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([id]) => id));
  const notifying: string[] = [];
  for (const [id, alarm] of ofType(s.json, 'AWS::CloudWatch::Alarm')) {
    const actions = (alarm.Properties.AlarmActions ?? []) as { Ref: string }[];
    if (actions.some((a) => a.Ref === alertsId)) notifying.push(id);
    else if (actions.length > 0)
      assert.ok(
        actions.every((a) => policies.has(a.Ref)),
        `${id}: ${JSON.stringify(actions)}`,
      );
    else assert.ok(rule.includes(id), `${id} has no action and is not part of the composite`);
  }
  assert.equal(notifying.filter((id) => /DlqAlarm/.test(id)).length, 2);
});

test('item 12: no fixed desiredCount (a deploy mid-run keeps the fleet), new tasks before old ones stop', () => {
  for (const [id, svc] of ofType(s.json, 'AWS::ECS::Service')) {
    assert.equal(svc.Properties.DesiredCount, undefined, id);
    assert.equal(svc.Properties.DeploymentConfiguration.MinimumHealthyPercent, 100, id);
    assert.equal(svc.Properties.DeploymentConfiguration.MaximumPercent, 200, id);
  }
});
