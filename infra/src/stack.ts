/**
 * The SQS fleet in one stack, each concern in its own construct: the lake bucket and Glue/Athena catalog, a VPC
 * without NAT, the partitions and themes queues with DLQs, the DynamoDB counters, the firm and theme workers on
 * Fargate Spot scaled on their queues, the SageMaker async endpoint scaled to zero, and the dashboard with its
 * alarms. The workers get exactly the fleet's environment (DESIGN's contract); the outputs are what
 * `pnpm producer enqueue|status|redrive --backend aws` reads.
 */
import { fileURLToPath } from 'node:url';
import { type CloudConfig, envNameFor, FLEET_NAMES, type StackOutputKey } from '@callthemes/common/config';
import {
  Arn,
  CfnOutput,
  aws_ecr_assets as ecrAssets,
  aws_ecs as ecs,
  IgnoreMode,
  aws_iam as iam,
  aws_logs as logs,
  Stack,
  type StackProps,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FleetAlerts } from './alerts.js';
import { LakeCatalog } from './catalog.js';
import { CountersTable } from './counters.js';
import { FleetDashboard } from './dashboard.js';
import { AsyncEndpoint } from './inference.js';
import { LakeBucket } from './lake.js';
import { Network } from './network.js';
import { FleetQueues } from './queues.js';
import { WorkerService } from './worker-service.js';

/** The repository root (infra/src or infra/dist → ../..): the workers' images are built from it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What never goes into a worker image's build context (also in the root .dockerignore): dependencies are
 * installed in the image, and caches, lakes, virtualenvs and synth output are this machine's.
 */
export const ASSET_EXCLUDES = [
  '**/node_modules',
  '**/dist',
  '**/.cache',
  '**/.turbo',
  '**/cdk.out',
  '**/_fleet',
  '**/_runs',
  'lake',
  '.venv*',
  '.git',
  'bench',
  'docs',
  'examples',
  'infra/serving',
  'infra/test',
  '**/test-results.json',
];

/** The workers' images (one Dockerfile, a target each) and programs (bins in their packages). */
export const WORKER_DOCKERFILE = 'worker.Dockerfile';
export const WORKERS = {
  firm: { target: 'firm-worker', command: ['node', 'packages/firm-worker/bin/firm-worker.js'] },
  theme: { target: 'theme-worker', command: ['node', 'packages/theme-worker/bin/theme-worker.js'] },
} as const;

export interface CallthemesStackProps extends StackProps {
  config: CloudConfig;
}

export class CallthemesStack extends Stack {
  readonly lake: LakeBucket;
  readonly network: Network;
  readonly queues: FleetQueues;
  readonly counters: CountersTable;
  readonly inference: AsyncEndpoint;
  readonly firmWorker: WorkerService;
  readonly themeWorker: WorkerService;
  readonly catalog: LakeCatalog;
  readonly dashboard: FleetDashboard;
  readonly alerts: FleetAlerts;

  constructor(scope: Construct, id: string, props: CallthemesStackProps) {
    super(scope, id, props);
    const { config } = props;
    const retention = retentionDays(config.logRetentionDays);

    this.lake = new LakeBucket(this, 'Lake');
    const bucket = this.lake.bucket;
    this.network = new Network(this, 'Network', { maxAzs: config.maxAzs, flowLogsBucket: bucket });
    this.catalog = new LakeCatalog(this, 'Catalog', {
      bucket,
      lakePrefix: FLEET_NAMES.lakePrefix,
      resultsPrefix: FLEET_NAMES.athenaPrefix,
      projectionQuarters: config.projectionQuarters,
      bytesScannedCutoff: config.athenaBytesScannedCutoff,
    });
    this.queues = new FleetQueues(this, 'Queues', {
      partitionSeconds: config.partitionSeconds,
      themeSeconds: config.themeSeconds,
    });
    this.counters = new CountersTable(this, 'Counters');
    this.alerts = new FleetAlerts(this, 'Alerts');
    this.inference = new AsyncEndpoint(this, 'Inference', {
      endpointName: `${config.clusterName}-inference`,
      bucket,
      repoRoot: REPO_ROOT,
      servingImageDir: config.servingImageDir,
      imageUri: config.inferenceImageUri,
      instanceTypes: config.inferenceInstanceTypes,
      maxInstances: config.inferenceMaxInstances,
      backlogPerInstance: config.backlogPerInstance,
      maxConcurrentInvocationsPerInstance: config.maxConcurrentInvocationsPerInstance,
      startupHealthCheckSeconds: config.startupHealthCheckSeconds,
      llmModel: config.llmModel,
      embedModel: config.embedModel,
      classifyModel: config.classifyModel,
      modelSource: config.modelSource,
      inferenceEndpoint: config.inferenceEndpoint,
      logRetention: retention,
      topicKey: this.alerts.key,
    });

    const cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: config.clusterName,
      vpc: this.network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
    });
    const firmService = `${config.clusterName}/${FLEET_NAMES.firmService}`;
    const themeService = `${config.clusterName}/${FLEET_NAMES.themeService}`;
    const environment: Record<string, string> = {
      CALLTHEMES_PARTITIONS_QUEUE_URL: this.queues.partitions.queue.queueUrl,
      CALLTHEMES_THEMES_QUEUE_URL: this.queues.themes.queue.queueUrl,
      CALLTHEMES_COUNTERS_TABLE: this.counters.table.tableName,
      CALLTHEMES_LAKE: `s3://${bucket.bucketName}/${FLEET_NAMES.lakePrefix}`,
      CALLTHEMES_INFERENCE: `sagemaker:${this.inference.endpointName}`,
      CALLTHEMES_INFERENCE_BUCKET: bucket.bucketName,
      CALLTHEMES_FIRM_WORKER_SERVICE: firmService,
      CALLTHEMES_THEME_WORKER_SERVICE: themeService,
      // The invoker's in-flight cap: ⌈this × max(1, instances) ÷ running firm tasks⌉ (async-invoker.ts).
      CALLTHEMES_INFERENCE_MAX_CONCURRENT_PER_INSTANCE: String(config.maxConcurrentInvocationsPerInstance),
      // The model ids the workers put in their requests: the endpoint serves these (inference.ts), so a model
      // chosen in context reaches both sides (the workers' own defaults are only the default models).
      [envNameFor('llmModel')]: config.llmModel,
      [envNameFor('embedModel')]: config.embedModel,
      [envNameFor('sentimentModel')]: config.classifyModel,
    };
    const secrets = pgSecrets(this, config.pgSecretName);
    const image = (target: string, id: string) =>
      ecs.ContainerImage.fromDockerImageAsset(
        new ecrAssets.DockerImageAsset(this, id, {
          directory: REPO_ROOT,
          file: WORKER_DOCKERFILE,
          target,
          exclude: ASSET_EXCLUDES,
          ignoreMode: IgnoreMode.DOCKER,
          platform: ecrAssets.Platform.LINUX_AMD64,
        }),
      );
    const common = {
      cluster,
      clusterName: config.clusterName,
      securityGroup: this.network.workerSg,
      environment,
      secrets,
      logRetention: retention,
    };
    this.firmWorker = new WorkerService(this, 'FirmWorker', {
      ...common,
      serviceName: FLEET_NAMES.firmService,
      image: image(WORKERS.firm.target, 'FirmWorkerImage'),
      command: [...WORKERS.firm.command],
      cpu: config.firmWorkerCpu,
      memoryMiB: config.firmWorkerMemoryMiB,
      queue: this.queues.partitions.queue,
      maxTasks: config.firmWorkerMaxTasks,
      backlogPerTask: config.backlogPerTask,
      fargateBase: config.fargateBaseTasks,
    });
    // One theme message per quarter, quarters in sequence: 0..1 task.
    this.themeWorker = new WorkerService(this, 'ThemeWorker', {
      ...common,
      serviceName: FLEET_NAMES.themeService,
      image: image(WORKERS.theme.target, 'ThemeWorkerImage'),
      command: [...WORKERS.theme.command],
      cpu: config.themeWorkerCpu,
      memoryMiB: config.themeWorkerMemoryMiB,
      queue: this.queues.themes.queue,
      maxTasks: 1,
      backlogPerTask: 1,
      fargateBase: 0,
    });

    // Least privilege per service: each consumes its own queue and sends only to the other.
    const firmRole = this.firmWorker.taskDefinition.taskRole;
    const themeRole = this.themeWorker.taskDefinition.taskRole;
    this.queues.partitions.queue.grantConsumeMessages(firmRole);
    this.queues.themes.queue.grantSendMessages(firmRole);
    this.queues.themes.queue.grantConsumeMessages(themeRole);
    this.queues.partitions.queue.grantSendMessages(themeRole);
    const endpointArn = Arn.format(
      { service: 'sagemaker', resource: 'endpoint', resourceName: this.inference.endpointName },
      this,
    );
    for (const role of [firmRole, themeRole]) {
      this.counters.table.grantReadWriteData(role);
      bucket.grantReadWrite(role, `${FLEET_NAMES.lakePrefix}/*`);
      bucket.grantRead(role, `${FLEET_NAMES.inputPrefix}/*`);
      bucket.grantPut(role, `${FLEET_NAMES.inferenceRequests}*`);
      // HEAD of an earlier attempt's "invoked" marker there: a retry waits for that invocation, pays nothing twice.
      bucket.grantRead(role, `${FLEET_NAMES.inferenceRequests}*`);
      bucket.grantRead(role, `${FLEET_NAMES.inferenceResponses}*`);
      bucket.grantRead(role, `${FLEET_NAMES.inferenceFailures}*`);
      // The invoker deletes a stale failure object before invoking again (async-invoker.ts): only there.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:DeleteObject'],
          resources: [bucket.arnForObjects(`${FLEET_NAMES.inferenceFailures}*`)],
        }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['sagemaker:InvokeEndpointAsync'], resources: [endpointArn] }),
      );
      // The endpoint's instance count: a cold start keeps the partition, and sets the in-flight cap.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['sagemaker:DescribeEndpoint'], resources: [endpointArn] }),
      );
    }
    // The theme worker enqueues the next quarter and raises the firm service's desired count with it; the firm
    // worker that completes a quarter sends its theme message and raises the theme service (SQS metrics lag).
    // ARNs by name, not the services' tokens: each service depends on its role's policy, so tokens would cycle.
    const serviceArn = (name: string) =>
      Arn.format(
        { service: 'ecs', resource: 'service', resourceName: `${config.clusterName}/${name}` },
        this,
      );
    themeRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
        resources: [serviceArn(FLEET_NAMES.firmService)],
      }),
    );
    firmRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
        resources: [serviceArn(FLEET_NAMES.themeService)],
      }),
    );
    // Its own service's running task count: the firm tasks share the endpoint's concurrency.
    firmRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices'],
        resources: [serviceArn(FLEET_NAMES.firmService)],
      }),
    );
    // Scale-in protection while a task holds a message (the agent endpoint calls these with the task role).
    const clusterTasks = Arn.format(
      { service: 'ecs', resource: 'task', resourceName: `${config.clusterName}/*` },
      this,
    );
    for (const role of [firmRole, themeRole])
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['ecs:GetTaskProtection', 'ecs:UpdateTaskProtection'],
          resources: [clusterTasks],
        }),
      );

    this.dashboard = new FleetDashboard(this, 'Monitoring', {
      dashboardName: `${config.stackName}-fleet`,
      queues: [
        { name: 'partitions', queue: this.queues.partitions },
        { name: 'themes', queue: this.queues.themes },
      ],
      services: [
        { name: FLEET_NAMES.firmService, service: this.firmWorker },
        { name: FLEET_NAMES.themeService, service: this.themeWorker },
      ],
      endpoint: this.inference,
      partitions: this.queues.partitions,
      alerts: this.alerts.topic,
    });

    const outputs: Record<StackOutputKey, [string, string]> = {
      PartitionsQueueUrl: [this.queues.partitions.queue.queueUrl, 'partitions queue (firm workers)'],
      ThemesQueueUrl: [this.queues.themes.queue.queueUrl, 'themes queue (theme worker)'],
      PartitionsDlqUrl: [this.queues.partitions.dlq.queueUrl, 'partitions DLQ (redrive)'],
      ThemesDlqUrl: [this.queues.themes.dlq.queueUrl, 'themes DLQ (redrive)'],
      CountersTable: [this.counters.table.tableName, 'DynamoDB counters table'],
      LakeUri: [environment.CALLTHEMES_LAKE, 'the lake (--lake)'],
      InferenceEndpoint: [this.inference.endpointName, 'SageMaker async endpoint'],
      InferenceBucket: [bucket.bucketName, 'bucket of async requests and responses'],
      FirmWorkerService: [firmService, 'cluster/service of the firm workers'],
      ThemeWorkerService: [themeService, 'cluster/service of the theme worker'],
      DashboardName: [this.dashboard.dashboard.dashboardName, 'CloudWatch dashboard'],
    };
    for (const [key, [value, description]] of Object.entries(outputs))
      new CfnOutput(this, key, { value, description });
  }
}

/** The `capiq` source's PostgreSQL settings as ECS secrets, when a secret is named. */
function pgSecrets(scope: Construct, name: string): Record<string, ecs.Secret> | undefined {
  if (!name) return undefined;
  const secret = secretsmanager.Secret.fromSecretNameV2(scope, 'PgSecret', name);
  const keys = ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD'];
  return Object.fromEntries(keys.map((k) => [k, ecs.Secret.fromSecretsManager(secret, k)]));
}

/** Days → the nearest CloudWatch Logs retention at or above them. */
export function retentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter(
    (v): v is number => typeof v === 'number' && v > 0,
  );
  const pick = allowed.sort((a, b) => a - b).find((v) => v >= days);
  return (pick ?? logs.RetentionDays.INFINITE) as logs.RetentionDays;
}
