/**
 * A minimal CDK stack with the resource kinds of the project's AWS design (issue 9), synthesized for real with
 * aws-cdk-lib: the template the diagram generators read until the project's own CDK app (src/cloud) is merged.
 * Not a model of the real app's details: only its shapes (S3 lake, Glue tables, Athena workgroup, Batch on spot,
 * an ECS GPU service, and a Step Functions workflow that scales, polls, maps over batches and catches failures).
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { CfnTemplate } from '../../src/diagrams/cfn.js';
import { TABLES } from '../../src/lake/schema.js';

export function synthMinimalCloudStack(outdir: string): CfnTemplate {
  const app = new App({ outdir });
  const stack = new Stack(app, 'CallthemesMinimal', {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 1,
    natGateways: 0,
    subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }],
    gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
  });
  const bucket = new s3.Bucket(stack, 'Lake', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
  });
  const db = new glue.CfnDatabase(stack, 'LakeDatabase', {
    catalogId: stack.account,
    databaseInput: { name: 'callthemes' },
  });
  for (const t of Object.values(TABLES)) {
    const table = new glue.CfnTable(stack, `Table${t.name}`, {
      catalogId: stack.account,
      databaseName: 'callthemes',
      tableInput: {
        name: t.name,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: 'quarter', type: 'string' }],
        storageDescriptor: {
          location: `s3://${bucket.bucketName}/${t.name}/`,
          columns: t.columns.map((c) => ({ name: c.name, type: 'string' })),
        },
      },
    });
    table.node.addDependency(db);
  }
  new athena.CfnWorkGroup(stack, 'Workgroup', {
    name: 'callthemes',
    workGroupConfiguration: {
      bytesScannedCutoffPerQuery: 10_000_000_000,
      resultConfiguration: { outputLocation: `s3://${bucket.bucketName}/_athena/` },
    },
  });
  const computeEnv = new batch.ManagedEc2EcsComputeEnvironment(stack, 'SpotCompute', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    spot: true,
    maxvCpus: 256,
    instanceTypes: [ec2.InstanceType.of(ec2.InstanceClass.C7I, ec2.InstanceSize.XLARGE)],
    useOptimalInstanceClasses: false,
  });
  const queue = new batch.JobQueue(stack, 'Queue', {
    computeEnvironments: [{ computeEnvironment: computeEnv, order: 1 }],
  });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/example/callthemes:latest');
  const jobDef = (id: string, command: string[]) => {
    const def = new batch.EcsJobDefinition(stack, id, {
      container: new batch.EcsEc2ContainerDefinition(stack, `${id}Container`, {
        image,
        cpu: 4,
        memory: Size.gibibytes(8),
        command,
      }),
      retryAttempts: 3,
      retryStrategies: [batch.RetryStrategy.of(batch.Action.RETRY, batch.Reason.SPOT_INSTANCE_RECLAIMED)],
    });
    bucket.grantReadWrite(def.container.jobRole ?? def.container.executionRole);
    return def;
  };
  const firmBatch = jobDef('FirmBatchJob', [
    'firm-batch',
    '--quarter',
    'Ref::quarter',
    '--batch',
    'Ref::batch',
  ]);
  const batchesJob = jobDef('BatchesJob', ['batches', '--quarter', 'Ref::quarter']);
  const themesJob = jobDef('ThemesJob', ['themes', '--quarter', 'Ref::quarter']);
  const sentimentJob = jobDef('SentimentJob', ['sentiment', '--quarter', 'Ref::quarter']);

  const cluster = new ecs.Cluster(stack, 'InferenceCluster', { vpc });
  const asg = new autoscaling.AutoScalingGroup(stack, 'GpuHosts', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    instanceType: new ec2.InstanceType('g6.xlarge'),
    machineImage: ecs.EcsOptimizedImage.amazonLinux2(ecs.AmiHardwareType.GPU),
    minCapacity: 0,
    maxCapacity: 4,
  });
  const provider = new ecs.AsgCapacityProvider(stack, 'GpuCapacity', { autoScalingGroup: asg });
  cluster.addAsgCapacityProvider(provider);
  const taskDef = new ecs.Ec2TaskDefinition(stack, 'VllmTask');
  taskDef.addContainer('vllm', {
    image: ecs.ContainerImage.fromRegistry('vllm/vllm-openai:latest'),
    memoryLimitMiB: 14_000,
    gpuCount: 1,
    command: ['--model', 'Qwen/Qwen3-8B-FP8', '--enable-prefix-caching'],
    portMappings: [{ containerPort: 8000 }],
  });
  const service = new ecs.Ec2Service(stack, 'VllmService', {
    cluster,
    taskDefinition: taskDef,
    desiredCount: 0,
    capacityProviderStrategies: [{ capacityProvider: provider.capacityProviderName, weight: 1 }],
  });

  const scale = (id: string, count: number) =>
    new tasks.CallAwsService(stack, id, {
      service: 'ecs',
      action: 'updateService',
      parameters: { Cluster: cluster.clusterArn, Service: service.serviceName, DesiredCount: count },
      iamResources: [service.serviceArn],
      resultPath: sfn.JsonPath.DISCARD,
    });
  const describe = new tasks.CallAwsService(stack, 'DescribeService', {
    service: 'ecs',
    action: 'describeServices',
    parameters: { Cluster: cluster.clusterArn, Services: [service.serviceName] },
    iamResources: [service.serviceArn],
    resultSelector: { 'running.$': '$.Services[0].RunningCount' },
    resultPath: '$.health',
  });
  const waitHealthy = new sfn.Wait(stack, 'WaitForService', {
    time: sfn.WaitTime.duration(Duration.seconds(30)),
  });
  const submit = (id: string, def: batch.EcsJobDefinition, params: Record<string, string>) =>
    new tasks.BatchSubmitJob(stack, id, {
      jobName: id,
      jobQueueArn: queue.jobQueueArn,
      jobDefinitionArn: def.jobDefinitionArn,
      payload: sfn.TaskInput.fromObject(params),
      resultPath: sfn.JsonPath.DISCARD,
    });
  const mapBatches = new sfn.Map(stack, 'FirmBatches', { itemsPath: '$.batches', maxConcurrency: 32 });
  mapBatches.itemProcessor(
    submit('FirmBatch', firmBatch, { 'quarter.$': '$.quarter', 'batch.$': '$.batch' }),
  );
  const healthy = new sfn.Choice(stack, 'ServiceHealthy')
    .when(
      sfn.Condition.numberGreaterThanEquals('$.health.running', 1),
      submit('Batches', batchesJob, { 'quarter.$': '$.quarter' })
        .next(mapBatches)
        .next(submit('Themes', themesJob, { 'quarter.$': '$.quarter' }))
        .next(submit('Sentiment', sentimentJob, { 'quarter.$': '$.quarter' }))
        .next(scale('ScaleDown', 0)),
    )
    .otherwise(waitHealthy.next(describe));
  const quarterFlow = sfn.Chain.start(scale('ScaleUp', 1)).next(describe).next(healthy);
  const perQuarter = new sfn.Map(stack, 'Quarters', { itemsPath: '$.quarters', maxConcurrency: 1 });
  perQuarter.itemProcessor(quarterFlow);
  perQuarter.addCatch(
    scale('ScaleDownOnError', 0).next(new sfn.Fail(stack, 'RunFailed', { error: 'QuarterFailed' })),
  );
  new sfn.StateMachine(stack, 'Workflow', {
    stateMachineName: 'callthemes-quarters',
    definitionBody: sfn.DefinitionBody.fromChainable(
      perQuarter.next(new sfn.Succeed(stack, 'AllQuartersDone')),
    ),
  });
  const assembly = app.synth();
  return assembly.getStackByName(stack.stackName).template as CfnTemplate;
}
