/**
 * One fleet worker as an ECS service on Fargate Spot: a task definition running the worker's image (built from
 * the repository at deploy), its log group, and scaling 0..N on its queue. Spot's two-minute notice arrives as
 * SIGTERM; `stopTimeout` 120 s gives the worker the whole window to release or finish its message.
 *
 * Scaling: target tracking keeps (visible + in-flight messages) ÷ running tasks at the target, with metric math
 * over SQS and Container Insights' RunningTaskCount. At 0 tasks that ratio says nothing, and target tracking never
 * leaves zero on its own, so a step policy adds a task when messages are visible and no task runs. SQS metrics
 * can lag up to 15 min after an idle spell: the producer and the theme worker also raise the firm service's
 * desired count when they enqueue (`@callthemes/common/scaling`).
 */
import {
  aws_applicationautoscaling as appscaling,
  aws_cloudwatch as cw,
  Duration,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_logs as logs,
  RemovalPolicy,
  type aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { scaleOutFromZero } from './scale-from-zero.js';

export interface WorkerServiceProps {
  cluster: ecs.Cluster;
  clusterName: string;
  serviceName: string;
  securityGroup: ec2.ISecurityGroup;
  image: ecs.ContainerImage;
  command: string[];
  environment: Record<string, string>;
  /** Secrets Manager values as environment variables (the `capiq` source's PostgreSQL settings). */
  secrets?: Record<string, ecs.Secret>;
  /** vCPU (0.25–16) and MiB of one task. */
  cpu: number;
  memoryMiB: number;
  queue: sqs.IQueue;
  maxTasks: number;
  /** Target (visible + in-flight) messages per running task. */
  backlogPerTask: number;
  /** On-demand FARGATE tasks under the spot ones (0 = spot only). */
  fargateBase: number;
  logRetention: logs.RetentionDays;
}

export const STOP_TIMEOUT_SECONDS = 120;

export class WorkerService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly logGroup: logs.LogGroup;
  readonly scalableTarget: appscaling.ScalableTarget;
  /** Container Insights' running tasks of this service. */
  readonly runningTasks: cw.Metric;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu * 1024,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.taskDefinition.addContainer('worker', {
      image: props.image,
      command: props.command,
      environment: props.environment,
      secrets: props.secrets,
      stopTimeout: Duration.seconds(STOP_TIMEOUT_SECONDS),
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: props.serviceName, logGroup: this.logGroup }),
      readonlyRootFilesystem: false,
    });
    const strategies: ecs.CapacityProviderStrategy[] = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
    if (props.fargateBase > 0)
      strategies.push({ capacityProvider: 'FARGATE', base: props.fargateBase, weight: 0 });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      serviceName: props.serviceName,
      taskDefinition: this.taskDefinition,
      // No desiredCount: CloudFormation would apply a fixed one again on every update, so a deploy during a run
      // would set the fleet back to it. Omitted, an update keeps what autoscaling and the producer set; the
      // creation starts one task, which finds no message and is scaled in (docs/aws.md, "Redeploying").
      capacityProviderStrategies: strategies,
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [props.securityGroup],
      // A deploy during a run starts the new tasks before stopping old ones (full capacity throughout); a stopped
      // worker finishes or releases its partition within stopTimeout.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
    });

    this.runningTasks = new cw.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: props.clusterName, ServiceName: props.serviceName },
      statistic: 'Average',
      period: Duration.minutes(1),
    });
    this.scalableTarget = new appscaling.ScalableTarget(this, 'Scaling', {
      serviceNamespace: appscaling.ServiceNamespace.ECS,
      resourceId: `service/${props.clusterName}/${props.serviceName}`,
      scalableDimension: 'ecs:service:DesiredCount',
      minCapacity: 0,
      maxCapacity: props.maxTasks,
    });
    this.scalableTarget.node.addDependency(this.service);

    const queueName = props.queue.queueName;
    const sqsStat = (metricName: string) => ({
      metric: { namespace: 'AWS/SQS', metricName, dimensions: [{ name: 'QueueName', value: queueName }] },
      stat: 'Sum',
    });
    // Backlog per task = (visible + in flight) ÷ running; at 0 running the divisor is 1 (the step policy acts).
    new appscaling.CfnScalingPolicy(this, 'BacklogPerTask', {
      policyName: `${props.serviceName}-backlog-per-task`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: this.scalableTarget.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.backlogPerTask,
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
        customizedMetricSpecification: {
          metrics: [
            { id: 'v', metricStat: sqsStat('ApproximateNumberOfMessagesVisible'), returnData: false },
            { id: 'nv', metricStat: sqsStat('ApproximateNumberOfMessagesNotVisible'), returnData: false },
            {
              id: 'r',
              metricStat: {
                metric: {
                  namespace: 'ECS/ContainerInsights',
                  metricName: 'RunningTaskCount',
                  dimensions: [
                    { name: 'ClusterName', value: props.clusterName },
                    { name: 'ServiceName', value: props.serviceName },
                  ],
                },
                stat: 'Average',
              },
              returnData: false,
            },
            {
              id: 'backlog',
              expression: '(v + nv) / IF(r > 0, r, 1)',
              label: 'messages per running task',
              returnData: true,
            },
          ],
        },
      },
    });

    // Leaving zero: messages visible and no task running → +1 task (target tracking takes over from there).
    const fromZero = new cw.MathExpression({
      expression: 'IF(v > 0 AND FILL(r, 0) < 1, 1, 0)',
      usingMetrics: {
        v: props.queue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        r: this.runningTasks,
      },
      period: Duration.minutes(1),
      label: 'backlog without tasks',
    });
    scaleOutFromZero(this.scalableTarget, fromZero, Duration.minutes(2));
  }
}
