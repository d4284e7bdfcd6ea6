/**
 * The inference tier: an ECS cluster on spot GPU instances (one GPU per task) running vLLM's OpenAI-compatible
 * server twice, the chat model and the embedding model, each a service with desired count 0 at rest. Jobs reach
 * them by Cloud Map DNS (`llm.callthemes.local:8000`, `embed.callthemes.local:8001`), no load balancer.
 *
 * Weights are read from the bucket's `models/` prefix with vLLM's Run:ai streamer: tasks use awsvpc
 * networking, which has no public IP on EC2, and with no NAT gateway they reach S3 only through the gateway
 * endpoint; it also saves a Hugging Face download on every cold start. The ECS agent pulls the vLLM image
 * through the instance's own public address.
 */
import {
  aws_autoscaling as autoscaling,
  Duration,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_iam as iam,
  aws_logs as logs,
  RemovalPolicy,
  type aws_s3 as s3,
  aws_servicediscovery as sd,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { CloudConfig } from './config.js';

export const SERVICE_NAMESPACE = 'callthemes.local';
export const LLM_PORT = 8000;
export const EMBED_PORT = 8001;

export interface InferenceProps {
  vpc: ec2.IVpc;
  bucket: s3.IBucket;
  modelsPrefix: string;
  /** Security group of the Batch jobs: the only clients allowed in. */
  clientSecurityGroup: ec2.ISecurityGroup;
  config: CloudConfig;
}

export class InferenceTier extends Construct {
  readonly cluster: ecs.Cluster;
  readonly llmService: ecs.Ec2Service;
  readonly embedService: ecs.Ec2Service;
  readonly llmUrl: string;
  readonly embedUrl: string;

  constructor(scope: Construct, id: string, props: InferenceProps) {
    super(scope, id);
    const { vpc, config } = props;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      defaultCloudMapNamespace: { name: SERVICE_NAMESPACE, vpc, type: sd.NamespaceType.DNS_PRIVATE },
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const hostSg = new ec2.SecurityGroup(this, 'GpuHostSg', {
      vpc,
      description: 'GPU hosts: no inbound; outbound for the ECS agent and image pulls',
    });
    const launchTemplate = new ec2.LaunchTemplate(this, 'GpuLaunchTemplate', {
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(ecs.AmiHardwareType.GPU),
      securityGroup: hostSg,
      // The cluster adds the ECS agent's statements to this role (scoped to the cluster where the API allows).
      role: new iam.Role(this, 'GpuInstanceRole', {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      }),
      userData: ec2.UserData.forLinux(),
      requireImdsv2: true,
      associatePublicIpAddress: true,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(100, {
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            encrypted: true,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    const asg = new autoscaling.AutoScalingGroup(this, 'GpuAsg', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      minCapacity: 0,
      maxCapacity: config.gpuMaxInstances,
      mixedInstancesPolicy: {
        launchTemplate,
        launchTemplateOverrides: config.gpuInstanceTypes.map((t) => ({
          instanceType: new ec2.InstanceType(t),
        })),
        instancesDistribution: {
          onDemandBaseCapacity: 0,
          onDemandPercentageAboveBaseCapacity: 0,
          spotAllocationStrategy: autoscaling.SpotAllocationStrategy.CAPACITY_OPTIMIZED,
        },
      },
      capacityRebalance: true,
    });
    const capacityProvider = new ecs.AsgCapacityProvider(this, 'GpuSpotCapacity', {
      autoScalingGroup: asg,
      enableManagedScaling: true,
      enableManagedTerminationProtection: false,
      // ECS managed draining moves tasks off a terminating instance: no drain-hook Lambda.
      enableManagedDraining: true,
      targetCapacityPercent: 100,
      machineImageType: ecs.MachineImageType.AMAZON_LINUX_2,
    });
    this.cluster.addAsgCapacityProvider(capacityProvider, { spotInstanceDraining: true });

    const taskSg = new ec2.SecurityGroup(this, 'InferenceTaskSg', {
      vpc,
      description: 'vLLM tasks: the OpenAI-compatible ports, from the Batch jobs only',
      allowAllOutbound: true,
    });
    taskSg.addIngressRule(props.clientSecurityGroup, ec2.Port.tcp(LLM_PORT), 'chat model from Batch jobs');
    taskSg.addIngressRule(props.clientSecurityGroup, ec2.Port.tcp(EMBED_PORT), 'embeddings from Batch jobs');

    const model = (name: string) => `s3://${props.bucket.bucketName}/${props.modelsPrefix}/${name}`;
    this.llmService = this.vllmService('Llm', 'llm', {
      ...props,
      capacityProvider,
      taskSg,
      port: LLM_PORT,
      args: [
        '--model',
        model(config.llmModel),
        '--served-model-name',
        config.llmModel,
        '--load-format',
        'runai_streamer',
        '--port',
        String(LLM_PORT),
        '--enable-prefix-caching',
        '--max-model-len',
        String(config.llmMaxModelLen),
        '--gpu-memory-utilization',
        '0.92',
        // Qwen3 thinks unless told not to: off by default, a request may still turn it on.
        '--default-chat-template-kwargs',
        '{"enable_thinking": false}',
      ],
    });
    this.embedService = this.vllmService('Embed', 'embed', {
      ...props,
      capacityProvider,
      taskSg,
      port: EMBED_PORT,
      args: [
        '--model',
        model(config.embedModel),
        '--served-model-name',
        config.embedModel,
        '--load-format',
        'runai_streamer',
        '--port',
        String(EMBED_PORT),
        '--runner',
        'pooling',
        // The instruction prefix repeats on every query: cache it.
        '--enable-prefix-caching',
        '--gpu-memory-utilization',
        '0.92',
      ],
    });
    this.llmUrl = `http://llm.${SERVICE_NAMESPACE}:${LLM_PORT}/v1`;
    this.embedUrl = `http://embed.${SERVICE_NAMESPACE}:${EMBED_PORT}/v1`;
  }

  private vllmService(
    id: string,
    dnsName: string,
    o: InferenceProps & {
      capacityProvider: ecs.AsgCapacityProvider;
      taskSg: ec2.ISecurityGroup;
      port: number;
      args: string[];
    },
  ): ecs.Ec2Service {
    const taskRole = new iam.Role(this, `${id}TaskRole`, {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `vLLM ${dnsName}: reads model weights`,
    });
    taskRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [o.bucket.arnForObjects(`${o.modelsPrefix}/*`)],
      }),
    );
    taskRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [o.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${o.modelsPrefix}/*`] } },
      }),
    );
    const task = new ecs.Ec2TaskDefinition(this, `${id}Task`, {
      networkMode: ecs.NetworkMode.AWS_VPC,
      taskRole,
    });
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    task.addContainer('vllm', {
      image: ecs.ContainerImage.fromRegistry(o.config.vllmImage),
      command: o.args,
      gpuCount: 1,
      // An xlarge GPU host has 16 GiB: leave room for the agent and the OS.
      memoryReservationMiB: 12 * 1024,
      portMappings: [{ containerPort: o.port, protocol: ecs.Protocol.TCP }],
      environment: { AWS_REGION: o.bucket.env.region, VLLM_NO_USAGE_STATS: '1' },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: dnsName, logGroup }),
      healthCheck: {
        command: [
          'CMD-SHELL',
          `python3 -c "import urllib.request; urllib.request.urlopen('http://localhost:${o.port}/health', timeout=5)"`,
        ],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(10),
        retries: 10,
        // Loading weights and compiling takes minutes: do not count failures before then.
        startPeriod: Duration.seconds(300),
      },
      linuxParameters: new ecs.LinuxParameters(this, `${id}Linux`, { sharedMemorySize: 2048 }),
    });
    return new ecs.Ec2Service(this, `${id}Service`, {
      cluster: this.cluster,
      taskDefinition: task,
      desiredCount: 0,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      securityGroups: [o.taskSg],
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      capacityProviderStrategies: [{ capacityProvider: o.capacityProvider.capacityProviderName, weight: 1 }],
      cloudMapOptions: { name: dnsName, dnsRecordType: sd.DnsRecordType.A, dnsTtl: Duration.seconds(10) },
      circuitBreaker: { enable: true, rollback: false },
    });
  }
}
