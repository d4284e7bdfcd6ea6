/** raiseDesiredCount against moto's ECS (cluster, task definition and service created for real over HTTP). */
import assert from 'node:assert/strict';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, test } from 'vitest';
import { fleetSettingsFrom, openFleet, sendThemeOnce } from '../../src/fleet/index.js';
import { parseService, raiseDesiredCount } from '../../src/scaling/index.js';
import { type MotoServer, motoMissing, startMotoServer } from '../helpers/moto-server.js';
import { skipIf, tempDir } from '../helpers/paths.js';

const skip = skipIf(motoMissing() ?? undefined);
let moto: MotoServer;
let ecs: ECSClient;
const dir = tempDir('callthemes-raise-');

beforeAll(async () => {
  if (skip.skip) return;
  moto = await startMotoServer();
  ecs = new ECSClient(moto.clientConfig);
  await ecs.send(new CreateClusterCommand({ clusterName: 'callthemes' }));
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'firm-worker',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '1024',
      memory: '4096',
      containerDefinitions: [{ name: 'worker', image: 'firm-worker:test', essential: true }],
    }),
  );
  for (const serviceName of ['firm-worker', 'theme-worker'])
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'callthemes',
        serviceName,
        taskDefinition: td.taskDefinition!.taskDefinitionArn,
        desiredCount: 0,
      }),
    );
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  dir.cleanup();
});

const desired = async (service = 'firm-worker') =>
  (await ecs.send(new DescribeServicesCommand({ cluster: 'callthemes', services: [service] }))).services?.[0]
    ?.desiredCount;

test('raises a service at 0 to the enqueued count, never lowers it, and caps it at max', skip, async () => {
  assert.equal(await desired(), 0);
  const service = 'callthemes/firm-worker';
  assert.deepEqual(await raiseDesiredCount({ service, atLeast: 5, client: ecs }), {
    changed: true,
    from: 0,
    to: 5,
  });
  assert.equal(await desired(), 5);
  // Fewer than it has: unchanged (scale-in is the autoscaler's).
  assert.deepEqual(await raiseDesiredCount({ service, atLeast: 3, client: ecs }), {
    changed: false,
    reason: 'already enough',
    desiredCount: 5,
  });
  assert.equal(await desired(), 5);
  // 100 partitions enqueued, a maximum of 12 tasks: 12.
  assert.deepEqual(await raiseDesiredCount({ service, atLeast: 100, max: 12, client: ecs }), {
    changed: true,
    from: 5,
    to: 12,
  });
  assert.equal(await desired(), 12);
});

test('no service configured (a local run): nothing is called', async () => {
  // A client that would fail on any call proves that none is made.
  const unreachable = new ECSClient({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  for (const service of ['', '  ', undefined])
    assert.deepEqual(await raiseDesiredCount({ service, atLeast: 4, client: unreachable }), {
      changed: false,
      reason: 'no service',
    });
});

test('a missing service or a malformed setting is a clear error naming it', skip, async () => {
  await assert.rejects(
    raiseDesiredCount({ service: 'callthemes/nope', atLeast: 1, client: ecs }),
    /ECS service callthemes\/nope: /,
  );
  assert.throws(() => parseService('callthemes'), /expected <cluster>\/<service>/);
  assert.throws(() => parseService('a/b/c'), /"a\/b\/c"/);
  assert.deepEqual(parseService('c/s'), { cluster: 'c', service: 's' });
});

test(
  "sending a quarter's theme message raises the theme service from 0 to 1 (its queue's metrics may lag)",
  skip,
  async () => {
    // The worker's SDK finds ECS through the standard AWS_ENDPOINT_URL_ECS, as in a task pointed at an emulator.
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_ECS: moto.endpoint,
      AWS_REGION: moto.region,
      AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    });
    const fleet = await openFleet(
      fleetSettingsFrom({ backend: 'local', lake: dir.path, themeWorkerService: 'callthemes/theme-worker' }),
    );
    try {
      const plan = await fleet.counters.putPlan({
        runId: 'r',
        quarters: ['2021Q1'],
        settingsHash: 'h',
        settings: {},
        createdAt: new Date().toISOString(),
      });
      assert.equal(await desired('theme-worker'), 0);
      assert.equal(await sendThemeOnce(fleet, plan, '2021Q1', 'partition#r#2021Q1#0'), true);
      assert.equal((await fleet.themes.depth()).visible, 1);
      assert.equal(await desired('theme-worker'), 1);
    } finally {
      await fleet.close();
      process.env = saved;
    }
  },
);
