/**
 * The whole deployment in one stack: the S3 lake bucket, Glue/Athena, a VPC without NAT, Batch on spot for the
 * stage jobs, the vLLM services on spot GPUs, and the run's state machine. It wires the stage commands only.
 */
import {
  CfnOutput,
  Duration,
  aws_ec2 as ec2,
  aws_ecr as ecr,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_s3 as s3,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LakeCatalog } from './catalog.js';
import type { CloudConfig } from './config.js';
import { InferenceTier } from './inference.js';
import { StageJobs } from './jobs.js';
import { RunWorkflow } from './workflow.js';

/** Key prefixes in the bucket. */
export const PREFIX = {
  lake: 'lake',
  runs: 'runs',
  input: 'input',
  models: 'models',
  athena: 'athena-results',
  flowLogs: 'vpc-flow-logs',
} as const;

export interface CallthemesStackProps extends StackProps {
  config: CloudConfig;
}

export class CallthemesStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly vpc: ec2.Vpc;
  readonly jobs: StageJobs;
  readonly inference: InferenceTier;
  readonly workflow: RunWorkflow;
  readonly catalog: LakeCatalog;

  constructor(scope: Construct, id: string, props: CallthemesStackProps) {
    super(scope, id, props);
    const { config } = props;

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Lake', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'lake-bucket/',
      lifecycleRules: [
        // lib-storage aborts failed uploads; a killed spot job cannot, so S3 expires its parts.
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'expire-athena-results', prefix: `${PREFIX.athena}/`, expiration: Duration.days(30) },
        { id: 'expire-run-pointers', prefix: `${PREFIX.runs}/`, expiration: Duration.days(90) },
        { id: 'expire-flow-logs', prefix: `${PREFIX.flowLogs}/`, expiration: Duration.days(30) },
        {
          id: 'lake-intelligent-tiering',
          prefix: `${PREFIX.lake}/`,
          transitions: [
            { storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) },
          ],
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // One AZ by default, public subnets only: no NAT gateway; S3 through a free gateway endpoint.
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: config.maxAzs,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        toS3: {
          destination: ec2.FlowLogDestination.toS3(this.bucket, `${PREFIX.flowLogs}/`),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });

    const repository = new ecr.Repository(this, 'Image', {
      repositoryName: 'callthemes',
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.MUTABLE,
      lifecycleRules: [{ description: 'keep the last 10 images', maxImageCount: 10 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.catalog = new LakeCatalog(this, 'Catalog', {
      bucket: this.bucket,
      lakePrefix: PREFIX.lake,
      resultsPrefix: PREFIX.athena,
      projectionQuarters: config.projectionQuarters,
      bytesScannedCutoff: config.athenaBytesScannedCutoff,
    });

    // The jobs' security group comes first: the inference tier admits it, and the jobs need the tier's URLs.
    const jobSg = new ec2.SecurityGroup(this, 'JobSg', {
      vpc: this.vpc,
      description: 'Batch stage jobs: no inbound; outbound to S3, the inference services and the source',
    });
    this.inference = new InferenceTier(this, 'Inference', {
      vpc: this.vpc,
      bucket: this.bucket,
      modelsPrefix: PREFIX.models,
      clientSecurityGroup: jobSg,
      config,
    });
    this.jobs = new StageJobs(this, 'Jobs', {
      vpc: this.vpc,
      bucket: this.bucket,
      lakePrefix: PREFIX.lake,
      runsPrefix: PREFIX.runs,
      inputPrefix: PREFIX.input,
      repository,
      llmUrl: this.inference.llmUrl,
      embedUrl: this.inference.embedUrl,
      securityGroup: jobSg,
      config,
    });
    this.workflow = new RunWorkflow(this, 'Run', {
      bucket: this.bucket,
      runsPrefix: PREFIX.runs,
      jobs: this.jobs,
      inference: this.inference,
      config,
    });

    const out = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description, exportName: `${this.stackName}-${id}` });
    out('BucketName', this.bucket.bucketName, 'lake bucket');
    out('LakeUrl', this.jobs.lakeUrl, '--lake of every job');
    out('StateMachineArn', this.workflow.stateMachine.stateMachineArn, 'run state machine');
    out('RepositoryUri', repository.repositoryUri, 'push the callthemes image here');
    out('AthenaWorkGroup', this.catalog.workGroupName, 'Athena workgroup');
    out('GlueDatabase', this.catalog.databaseName, 'Glue database');
    out('JobQueueArn', this.jobs.queue.jobQueueArn, 'Batch job queue');
  }
}
