/**
 * The SageMaker Asynchronous Inference endpoint: one model (the serving image: a router on :8080 in front of
 * the chat and embedding vLLM processes), an endpoint config with `AsyncInferenceConfig` (results and failures
 * under the bucket's `inference/` prefixes, SNS success/error topics), and scaling 0..N:
 * target tracking on `ApproximateBacklogSizePerInstance` plus a step policy on `HasBacklogWithoutCapacity`,
 * because target tracking alone never scales out from zero (async-inference-autoscale docs). Endpoints run
 * on demand (no Spot for endpoints); several instance types become instance pools, first preferred.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { type CloudConfig, FLEET_NAMES } from '@callthemes/common/config';
import {
  Arn,
  Aws,
  aws_applicationautoscaling as appscaling,
  aws_cloudwatch as cw,
  Duration,
  aws_ecr as ecr,
  aws_ecr_assets as ecrAssets,
  aws_iam as iam,
  type aws_kms as kms,
  aws_logs as logs,
  RemovalPolicy,
  type aws_s3 as s3,
  aws_sagemaker as sagemaker,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { scaleOutFromZero } from './scale-from-zero.js';

export const VARIANT = 'AllTraffic';

/** The deployment settings the endpoint reads, as CloudConfig documents them (checked again here: context is text). */
type EndpointSettings = Pick<
  CloudConfig,
  | 'servingImageDir'
  | 'backlogPerInstance'
  | 'maxConcurrentInvocationsPerInstance'
  | 'startupHealthCheckSeconds'
  | 'llmModel'
  | 'embedModel'
  | 'classifyModel'
  | 'modelSource'
  | 'inferenceEndpoint'
>;

export interface AsyncEndpointProps extends EndpointSettings {
  endpointName: string;
  bucket: s3.IBucket;
  /** Repository root: `servingImageDir` is resolved against it. */
  repoRoot: string;
  /** A pushed image instead of building `servingImageDir` (ECR URI `<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag]`). */
  imageUri: string;
  instanceTypes: string[];
  maxInstances: number;
  logRetention: logs.RetentionDays;
  /** Encrypts the success and error topics (the alerts topic's key). */
  topicKey: kms.IKey;
}

export class AsyncEndpoint extends Construct {
  readonly endpointName: string;
  /** Undefined with `inferenceEndpoint` off. */
  readonly endpoint?: sagemaker.CfnEndpoint;
  readonly role: iam.Role;
  readonly successTopic: sns.Topic;
  readonly errorTopic: sns.Topic;
  readonly scalableTarget?: appscaling.ScalableTarget;
  readonly imageUri: string;

  constructor(scope: Construct, id: string, props: AsyncEndpointProps) {
    super(scope, id);
    if (props.instanceTypes.length === 0) throw new Error('inferenceInstanceTypes: give at least one type');
    if (props.modelSource !== 'staged' && props.modelSource !== 'hub')
      throw new Error(`modelSource ${props.modelSource}: expected staged or hub`);
    if (props.inferenceEndpoint !== 'on' && props.inferenceEndpoint !== 'off')
      throw new Error(`inferenceEndpoint ${props.inferenceEndpoint}: expected on or off`);
    this.endpointName = props.endpointName;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'callthemes async endpoint: pull its image, read requests, write results, notify',
    });
    this.imageUri = this.image(props);

    const topicProps = { enforceSSL: true, masterKey: props.topicKey };
    this.successTopic = new sns.Topic(this, 'Success', {
      ...topicProps,
      displayName: 'callthemes inference done',
    });
    this.errorTopic = new sns.Topic(this, 'Errors', {
      ...topicProps,
      displayName: 'callthemes inference failed',
    });
    this.successTopic.grantPublish(this.role);
    this.errorTopic.grantPublish(this.role);
    props.bucket.grantRead(this.role, `${FLEET_NAMES.inferenceRequests}*`);
    props.bucket.grantPut(this.role, `${FLEET_NAMES.inferenceResponses}*`);
    props.bucket.grantPut(this.role, `${FLEET_NAMES.inferenceFailures}*`);

    // SageMaker writes the container's output to this group; created here so it has a retention.
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/sagemaker/Endpoints/${props.endpointName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' } },
      }),
    );

    const staged = props.modelSource === 'staged';
    if (staged) props.bucket.grantRead(this.role, `${FLEET_NAMES.models}*`);
    if (props.inferenceEndpoint === 'off') return;

    const model = new sagemaker.CfnModel(this, 'Model', {
      executionRoleArn: this.role.roleArn,
      primaryContainer: {
        image: this.imageUri,
        environment: {
          // The serving image's settings (infra/serving/serve): which model each vLLM process loads.
          CALLTHEMES_CHAT_MODEL: props.llmModel,
          CALLTHEMES_EMBED_MODEL: props.embedModel,
          CALLTHEMES_CLASSIFY_MODEL: props.classifyModel,
          // Staged: everything is in /opt/ml/model; a missing file must fail the load, not reach for the Hub.
          ...(staged ? { HF_HUB_OFFLINE: '1', VLLM_NO_USAGE_STATS: '1' } : {}),
        },
        // The staged prefix (`pnpm producer stage-models`), uncompressed: SageMaker copies it to /opt/ml/model,
        // where `serve` finds <model name>/ for each model (no tarball to unpack, no Hub at cold start).
        ...(staged
          ? {
              modelDataSource: {
                s3DataSource: {
                  s3Uri: `s3://${props.bucket.bucketName}/${FLEET_NAMES.models}`,
                  s3DataType: 'S3Prefix',
                  compressionType: 'None',
                },
              },
            }
          : {}),
      },
      // With the weights staged the container needs no network: isolation keeps request data in and unpinned
      // code or weights out. SageMaker itself still copies the model data and the async payloads.
      enableNetworkIsolation: staged,
    });
    model.node.addDependency(this.role);

    const s3Url = (prefix: string) => `s3://${props.bucket.bucketName}/${prefix.replace(/\/$/, '')}`;
    const [first, ...rest] = props.instanceTypes;
    const variant: sagemaker.CfnEndpointConfig.ProductionVariantProperty = {
      variantName: VARIANT,
      modelName: model.attrModelName,
      initialInstanceCount: 1,
      ...(rest.length === 0
        ? { instanceType: first }
        : {
            instancePools: props.instanceTypes.map((instanceType, i) => ({ instanceType, priority: i + 1 })),
          }),
      containerStartupHealthCheckTimeoutInSeconds: props.startupHealthCheckSeconds,
      modelDataDownloadTimeoutInSeconds: props.startupHealthCheckSeconds,
    };
    const config = new sagemaker.CfnEndpointConfig(this, 'Config', {
      productionVariants: [variant],
      asyncInferenceConfig: {
        clientConfig: {
          maxConcurrentInvocationsPerInstance: props.maxConcurrentInvocationsPerInstance,
        },
        outputConfig: {
          s3OutputPath: s3Url(FLEET_NAMES.inferenceResponses),
          s3FailurePath: s3Url(FLEET_NAMES.inferenceFailures),
          notificationConfig: {
            successTopic: this.successTopic.topicArn,
            errorTopic: this.errorTopic.topicArn,
          },
        },
      },
    });
    const endpoint = new sagemaker.CfnEndpoint(this, 'Endpoint', {
      endpointName: props.endpointName,
      endpointConfigName: config.attrEndpointConfigName,
    });
    endpoint.node.addDependency(logGroup);
    this.endpoint = endpoint;

    const scaling = new appscaling.ScalableTarget(this, 'Scaling', {
      serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
      resourceId: `endpoint/${props.endpointName}/variant/${VARIANT}`,
      scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      minCapacity: 0,
      maxCapacity: props.maxInstances,
    });
    this.scalableTarget = scaling;
    scaling.node.addDependency(endpoint);
    scaling.scaleToTrackMetric('BacklogPerInstance', {
      targetValue: props.backlogPerInstance,
      customMetric: this.metric('ApproximateBacklogSizePerInstance', 'Average'),
      scaleInCooldown: Duration.minutes(10),
      scaleOutCooldown: Duration.minutes(5),
    });
    scaleOutFromZero(scaling, this.metric('HasBacklogWithoutCapacity', 'Average'), Duration.minutes(5));
  }

  /** An endpoint-level SageMaker metric at one minute. */
  metric(metricName: string, statistic: string): cw.Metric {
    return new cw.Metric({
      namespace: 'AWS/SageMaker',
      metricName,
      dimensionsMap: { EndpointName: this.endpointName },
      statistic,
      period: Duration.minutes(1),
    });
  }

  /** Instances of the variant (per-variant metric; SageMaker publishes no instance count for async otherwise). */
  metricInstances(): cw.Metric {
    return new cw.Metric({
      namespace: '/aws/sagemaker/Endpoints',
      metricName: 'CPUUtilization',
      dimensionsMap: { EndpointName: this.endpointName, VariantName: VARIANT },
      statistic: 'SampleCount',
      period: Duration.minutes(1),
      label: 'instances reporting',
    });
  }

  private image(props: AsyncEndpointProps): string {
    if (props.imageUri) {
      const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(props.imageUri);
      if (!m)
        throw new Error(
          `inferenceImageUri ${props.imageUri}: expected an ECR image <account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag]`,
        );
      const repo = ecr.Repository.fromRepositoryAttributes(this, 'ImageRepo', {
        repositoryName: m[3],
        repositoryArn: Arn.format({
          partition: Aws.PARTITION,
          service: 'ecr',
          account: m[1],
          region: m[2],
          resource: 'repository',
          resourceName: m[3],
        }),
      });
      repo.grantPull(this.role);
      return props.imageUri;
    }
    const dir = isAbsolute(props.servingImageDir)
      ? props.servingImageDir
      : join(props.repoRoot, props.servingImageDir);
    if (!existsSync(join(dir, 'Dockerfile')))
      throw new Error(
        `serving image: no Dockerfile in ${props.servingImageDir}; set -c servingImageDir=<dir> or ` +
          '-c inferenceImageUri=<ECR image>',
      );
    const asset = new ecrAssets.DockerImageAsset(this, 'Image', {
      directory: dir,
      platform: ecrAssets.Platform.LINUX_AMD64,
    });
    asset.repository.grantPull(this.role);
    return asset.imageUri;
  }
}
