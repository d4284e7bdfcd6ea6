/**
 * Defaults of the AWS deployment (the SQS fleet), shared by the CDK app (infra), the cost estimate and the
 * producer's stack lookup, so none of them imports another. Sized for a quarter of ~5,000 firms in partitions of
 * 50; instance types and prices: docs/aws.md and the producer's prices file.
 */
export interface CloudConfig {
  /** CloudFormation stack name. */
  stackName: string;
  /** Availability zones of the VPC (public subnets only: no NAT gateway). */
  maxAzs: number;
  /** ECS cluster name; with the service names it forms `CALLTHEMES_FIRM_WORKER_SERVICE` (`cluster/service`). */
  clusterName: string;
  /** Measured wall time of one partition on one firm-worker task, in seconds (bench/; sizes the visibility timeout). */
  partitionSeconds: number;
  /** Measured wall time of one quarter's theme message on the theme worker, in seconds. */
  themeSeconds: number;
  /** Fargate task size of a firm worker: vCPU (0.25–16) and memory in MiB. */
  firmWorkerCpu: number;
  firmWorkerMemoryMiB: number;
  /** Most firm-worker tasks (the service scales 0..N on the partitions queue). */
  firmWorkerMaxTasks: number;
  /** Target backlog (visible messages) per running firm-worker task. */
  backlogPerTask: number;
  /** On-demand FARGATE tasks kept under the spot ones while the service runs (0 = spot only). */
  fargateBaseTasks: number;
  themeWorkerCpu: number;
  themeWorkerMemoryMiB: number;
  /** SageMaker instance types of the async endpoint, first preferred (one = plain InstanceType; more = pools). */
  inferenceInstanceTypes: string[];
  /**
   * Most endpoint instances (scales 0..N on ApproximateBacklogSizePerInstance): the size `callthemes estimate`
   * recommends for a 5,000-firm quarter under one hour within \$100 (a test pins the two together).
   */
  inferenceMaxInstances: number;
  /** Target async backlog per instance (AWS's example: 5). */
  backlogPerInstance: number;
  /** `AsyncInferenceConfig.ClientConfig.MaxConcurrentInvocationsPerInstance` (1–1000). */
  maxConcurrentInvocationsPerInstance: number;
  /** Startup window of the serving container: two vLLM models load before /ping answers 200 (60–3600 s). */
  startupHealthCheckSeconds: number;
  /** Chat, embedding and sentence-classification models the serving image loads (its CALLTHEMES_*_MODEL). */
  llmModel: string;
  embedModel: string;
  classifyModel: string;
  /**
   * Where the endpoint gets the weights: `staged` (the bucket's `models/` prefix, filled once by `pnpm producer
   * stage-models`, mounted at /opt/ml/model; network isolation on) or `hub` (downloaded at every cold start).
   */
  modelSource: 'staged' | 'hub';
  /** `off` deploys all but the endpoint: the first deploy (before stage-models) and an instance-type change. */
  inferenceEndpoint: 'on' | 'off';
  /** Days the log groups keep worker and endpoint logs. */
  logRetentionDays: number;
  /** Athena per-query scan cutoff. */
  athenaBytesScannedCutoff: number;
  /** Quarters enumerated by Glue partition projection. */
  projectionQuarters: string;
  /** Secrets Manager secret with PGHOST/PGPORT/PGDATABASE/PGUSER/PGPASSWORD for the `capiq` source; optional. */
  pgSecretName: string;
  /** Directory of the serving image (Dockerfile + router), relative to the repository root. */
  servingImageDir: string;
  /** A pushed serving image URI to use instead of building `servingImageDir`; optional. */
  inferenceImageUri: string;
}

export const DEFAULT_CONFIG: CloudConfig = {
  stackName: 'Callthemes',
  maxAzs: 2,
  clusterName: 'callthemes',
  partitionSeconds: 600,
  themeSeconds: 900,
  firmWorkerCpu: 1,
  firmWorkerMemoryMiB: 4096,
  firmWorkerMaxTasks: 20,
  backlogPerTask: 2,
  fargateBaseTasks: 0,
  themeWorkerCpu: 2,
  themeWorkerMemoryMiB: 8192,
  inferenceInstanceTypes: ['ml.g6e.xlarge'],
  inferenceMaxInstances: 3,
  backlogPerInstance: 5,
  maxConcurrentInvocationsPerInstance: 16,
  startupHealthCheckSeconds: 1800,
  llmModel: 'Qwen/Qwen3-8B-FP8',
  embedModel: 'Qwen/Qwen3-Embedding-8B',
  classifyModel: 'yiyanghkust/finbert-tone',
  modelSource: 'staged',
  inferenceEndpoint: 'on',
  logRetentionDays: 30,
  athenaBytesScannedCutoff: 10 * 1024 ** 3,
  projectionQuarters: '2000Q1..2030Q4',
  pgSecretName: '',
  servingImageDir: 'infra/serving',
  inferenceImageUri: '',
};

/** Names the fleet's resources get in the stack (fixed so the task definitions can name the firm service). */
export const FLEET_NAMES = {
  firmService: 'firm-worker',
  themeService: 'theme-worker',
  /** Prefixes of SageMaker async requests, results and failures in the inference bucket. */
  inferenceRequests: 'inference/requests/',
  inferenceResponses: 'inference/responses/',
  inferenceFailures: 'inference/failures/',
  /** Staged model weights (`models/<model name>/…`), the endpoint's ModelDataSource. */
  models: 'models/',
  /** Key prefix of the lake in the bucket (`CALLTHEMES_LAKE` = `s3://<bucket>/lake`). */
  lakePrefix: 'lake',
  /** Where `enqueue --source … --input` files may be uploaded (workers may read it). */
  inputPrefix: 'input',
  athenaPrefix: 'athena-results',
} as const;

/** The stack's output keys (the producer reads them with DescribeStacks; infra declares them). */
export const STACK_OUTPUT_KEYS = [
  'PartitionsQueueUrl',
  'ThemesQueueUrl',
  'PartitionsDlqUrl',
  'ThemesDlqUrl',
  'CountersTable',
  'LakeUri',
  'InferenceEndpoint',
  'InferenceBucket',
  'FirmWorkerService',
  'ThemeWorkerService',
  'DashboardName',
] as const;
export type StackOutputKey = (typeof STACK_OUTPUT_KEYS)[number];

/** Metric namespace, names and dimension the workers emit (CloudWatch embedded-metric format). */
export const FLEET_METRICS = {
  namespace: 'Callthemes',
  partitionsCompleted: 'PartitionsCompleted',
  firmsCompleted: 'FirmsCompleted',
  dimension: 'Quarter',
  /** A quarter is stuck when nothing completed for this long while the partitions queue holds messages. */
  stuckMinutes: 30,
} as const;

/** SQS redrive: a message that failed this many receives moves to its DLQ. */
export const MAX_RECEIVE_COUNT = 3;
