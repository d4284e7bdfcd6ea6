/**
 * AWS Batch on EC2 spot: one compute environment (several instance types, capacity-optimized, scales to 0),
 * one queue, and a job definition per stage command. Every job runs the project image with one CLI command
 * and the same flags as a local run; Batch fills the `Ref::` parameters from the state machine.
 * A spot reclaim (`Host EC2 (instance …) terminated.`) is retried by Batch; any other failure exits.
 */
import {
  aws_batch as batch,
  Duration,
  aws_ec2 as ec2,
  type aws_ecr as ecr,
  aws_ecs as ecs,
  aws_iam as iam,
  aws_logs as logs,
  RemovalPolicy,
  Size,
  type aws_s3 as s3,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { CloudConfig } from './config.js';

/** The stage commands the cloud wires (DESIGN "CLI"); the cloud adds no logic of its own. */
export type StageCommand = 'batches' | 'firm-batch' | 'themes' | 'sentiment';

interface StageSize {
  cpu: number;
  memoryGiB: number;
  timeout: Duration;
}

const SIZES: Record<StageCommand, StageSize> = {
  batches: { cpu: 1, memoryGiB: 2, timeout: Duration.minutes(30) },
  'firm-batch': { cpu: 2, memoryGiB: 6, timeout: Duration.hours(3) },
  themes: { cpu: 4, memoryGiB: 14, timeout: Duration.hours(4) },
  sentiment: { cpu: 2, memoryGiB: 6, timeout: Duration.hours(4) },
};

/** Batch retries up to this many attempts in all, for spot reclaims only. */
export const JOB_ATTEMPTS = 3;

export interface JobsProps {
  vpc: ec2.IVpc;
  /** The jobs' security group (admitted by the inference services). */
  securityGroup: ec2.ISecurityGroup;
  bucket: s3.IBucket;
  lakePrefix: string;
  runsPrefix: string;
  inputPrefix: string;
  repository: ecr.IRepository;
  llmUrl: string;
  embedUrl: string;
  config: CloudConfig;
}

export class StageJobs extends Construct {
  readonly queue: batch.JobQueue;
  readonly definitions: Record<StageCommand, batch.EcsJobDefinition>;
  readonly lakeUrl: string;
  readonly inputUrl: string;

  constructor(scope: Construct, id: string, props: JobsProps) {
    super(scope, id);
    const { vpc, bucket, config } = props;
    const launchTemplate = new ec2.LaunchTemplate(this, 'JobLaunchTemplate', {
      requireImdsv2: true,
      httpPutResponseHopLimit: 2,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(40, {
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            encrypted: true,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    const computeEnvironment = new batch.ManagedEc2EcsComputeEnvironment(this, 'SpotCompute', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [props.securityGroup],
      spot: true,
      allocationStrategy: batch.AllocationStrategy.SPOT_CAPACITY_OPTIMIZED,
      instanceTypes: config.batchInstanceTypes.map((t) => new ec2.InstanceType(t)),
      useOptimalInstanceClasses: false,
      minvCpus: 0,
      maxvCpus: config.batchMaxVcpus,
      launchTemplate,
      updateToLatestImageVersion: true,
    });
    this.queue = new batch.JobQueue(this, 'Queue', {
      computeEnvironments: [{ computeEnvironment, order: 1 }],
    });

    const jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'callthemes stage jobs: the lake read/write, runs and input read-only',
    });
    jobRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LakeReadWrite',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [
          bucket.arnForObjects(`${props.lakePrefix}/*`),
          bucket.arnForObjects(`${props.runsPrefix}/*`),
        ],
      }),
    );
    jobRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InputRead',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${props.inputPrefix}/*`)],
      }),
    );
    jobRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListOwnPrefixes',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: {
          StringLike: {
            's3:prefix': [`${props.lakePrefix}/*`, `${props.runsPrefix}/*`, `${props.inputPrefix}/*`],
          },
        },
      }),
    );

    const logGroup = new logs.LogGroup(this, 'JobLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const secrets: Record<string, batch.Secret> = {};
    if (config.pgSecretName) {
      const pg = secretsmanager.Secret.fromSecretNameV2(this, 'PgSecret', config.pgSecretName);
      for (const key of ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD'])
        secrets[key] = batch.Secret.fromSecretsManager(pg, key);
    }

    this.lakeUrl = `s3://${bucket.bucketName}/${props.lakePrefix}`;
    this.inputUrl = config.input || `s3://${bucket.bucketName}/${props.inputPrefix}`;
    const sourceFlags = [
      '--source',
      config.source,
      ...(config.source === 'capiq' ? [] : ['--input', this.inputUrl]),
    ];
    const serviceFlags = [
      '--lake',
      this.lakeUrl,
      '--llm-url',
      props.llmUrl,
      '--llm-model',
      config.llmModel,
      '--embed-url',
      props.embedUrl,
      '--embed-model',
      config.embedModel,
    ];
    const commands: Record<StageCommand, string[]> = {
      batches: [
        'batches',
        '--quarter',
        'Ref::quarter',
        '--batch-size',
        'Ref::batchSize',
        ...sourceFlags,
        '--out',
        'Ref::out',
      ],
      'firm-batch': [
        'firm-batch',
        '--quarter',
        'Ref::quarter',
        '--batch',
        'Ref::batch',
        '--batch-size',
        'Ref::batchSize',
        ...sourceFlags,
        ...serviceFlags,
      ],
      themes: ['themes', '--quarter', 'Ref::quarter', ...sourceFlags, ...serviceFlags],
      sentiment: ['sentiment', '--quarter', 'Ref::quarter', ...sourceFlags, ...serviceFlags],
    };
    const image = ecs.ContainerImage.fromEcrRepository(props.repository, config.imageTag);
    const definitions = {} as Record<StageCommand, batch.EcsJobDefinition>;
    for (const stage of Object.keys(commands) as StageCommand[]) {
      const size = SIZES[stage];
      const id = stage.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
      definitions[stage] = new batch.EcsJobDefinition(this, `${id}Job`, {
        container: new batch.EcsEc2ContainerDefinition(this, `${id}Container`, {
          image,
          cpu: size.cpu,
          memory: Size.gibibytes(size.memoryGiB),
          command: commands[stage],
          jobRole,
          environment: {
            AWS_REGION: bucket.env.region,
            // Firms to process: empty = all (the execution input's `firms` overrides it per job).
            CALLTHEMES_FIRMS: '',
          },
          secrets: Object.keys(secrets).length ? secrets : undefined,
          logging: ecs.LogDriver.awsLogs({ streamPrefix: stage, logGroup }),
          readonlyRootFilesystem: false,
          user: '1000',
        }),
        parameters: { batchSize: '50' },
        retryAttempts: JOB_ATTEMPTS,
        retryStrategies: [
          batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED),
          batch.RetryStrategy.of(batch.Action.EXIT, batch.Reason.custom({ onReason: '*' })),
        ],
        timeout: size.timeout,
        propagateTags: true,
      });
    }
    this.definitions = definitions;
  }
}
