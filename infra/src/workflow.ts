/**
 * The run's state machine. Input `{quarters, batchSize?, maxConcurrency?, firms?}`. For each quarter in order:
 * scale the inference services up and wait for a healthy task of each → `batches` (writes the batch list to
 * S3) → read it → Map over batches with `batch:submitJob.sync` and MaxConcurrency → `themes` → `sentiment`.
 * The services are scaled to 0 at the end and on any failure. The state holds only small values and S3 keys:
 * job results are discarded (ResultPath null), far below the 256 KB payload limit.
 */

// INPUT_DEFAULTS: the defaults merged under the execution input (shared with the estimate).
import { INPUT_DEFAULTS } from '@callthemes/common/config';
import {
  Aws,
  Duration,
  type aws_ecs as ecs,
  aws_logs as logs,
  RemovalPolicy,
  type aws_s3 as s3,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { CloudConfig } from './config.js';
import type { InferenceTier } from './inference.js';
import type { StageCommand, StageJobs } from './jobs.js';

/** Health polls (all services together) before the run gives up on the inference tier. */
export const MAX_HEALTH_POLLS = 60;
export const HEALTH_POLL_SECONDS = 30;

/** State names the local tests override with handlers (they stand for AWS services). */
export const STATE = {
  batches: 'ListBatches',
  readBatches: 'ReadBatchList',
  firmBatch: 'FirmBatch',
  themes: 'Themes',
  sentiment: 'Sentiment',
  quarters: 'Quarters',
  firmBatches: 'FirmBatches',
} as const;

export interface WorkflowProps {
  bucket: s3.IBucket;
  runsPrefix: string;
  jobs: StageJobs;
  inference: InferenceTier;
  config: CloudConfig;
}

export class RunWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const { jobs, inference, config } = props;
    const cluster = inference.cluster;
    const services = [
      { key: 'Llm', service: inference.llmService, replicas: config.llmReplicas },
      { key: 'Embed', service: inference.embedService, replicas: config.embedReplicas },
    ];

    const scale = (name: string, service: ecs.Ec2Service, count: number) =>
      new tasks.CallAwsService(this, name, {
        stateName: name,
        service: 'ecs',
        action: 'updateService',
        parameters: { Cluster: cluster.clusterName, Service: service.serviceName, DesiredCount: count },
        iamResources: [service.serviceArn],
        resultPath: sfn.JsonPath.DISCARD,
      }).addRetry({ errors: ['Ecs.ServerException', 'Ecs.ThrottlingException'], maxAttempts: 5 });

    const scaleDown = (suffix: string) => {
      const [first, ...rest] = services.map((s) => scale(`ScaleDown${s.key}${suffix}`, s.service, 0));
      let chain: sfn.Chain = sfn.Chain.start(first);
      for (const s of rest) chain = chain.next(s);
      return chain;
    };

    const submit = (stage: StageCommand, name: string, parameters: Record<string, string>) =>
      new tasks.BatchSubmitJob(this, name, {
        stateName: name,
        jobName: stage,
        jobQueueArn: jobs.queue.jobQueueArn,
        jobDefinitionArn: jobs.definitions[stage].jobDefinitionArn,
        payload: sfn.TaskInput.fromObject(parameters),
        containerOverrides: {
          environment: { CALLTHEMES_FIRMS: sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.firms')) },
        },
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        resultPath: sfn.JsonPath.DISCARD,
      }).addRetry({
        // API throttling only; spot reclaims are retried by Batch itself (the job definition's strategy).
        errors: ['Batch.AWSBatchException', 'Batch.ServerException', 'Batch.TooManyRequestsException'],
        interval: Duration.seconds(10),
        backoffRate: 2,
        maxAttempts: 5,
      });

    // Health: a RUNNING task of the service whose container health check (vLLM's /health) passes; work starts
    // with the first healthy replica, later replicas join as they come up.
    const waitHealthy = (key: string, service: ecs.Ec2Service, next: sfn.IChainable) => {
      const poll = new sfn.Wait(this, `Wait${key}`, {
        stateName: `Wait${key}`,
        time: sfn.WaitTime.duration(Duration.seconds(HEALTH_POLL_SECONDS)),
      });
      const list = new tasks.CallAwsService(this, `List${key}Tasks`, {
        stateName: `List${key}Tasks`,
        service: 'ecs',
        action: 'listTasks',
        parameters: {
          Cluster: cluster.clusterName,
          ServiceName: service.serviceName,
          DesiredStatus: 'RUNNING',
        },
        // ListTasks authorizes on container instances; scoped to the cluster's.
        iamResources: [
          `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:container-instance/${cluster.clusterName}/*`,
        ],
        resultSelector: { 'arns.$': '$.TaskArns' },
        resultPath: '$.probe',
      });
      const describe = new tasks.CallAwsService(this, `Describe${key}Tasks`, {
        stateName: `Describe${key}Tasks`,
        service: 'ecs',
        action: 'describeTasks',
        parameters: { Cluster: cluster.clusterName, 'Tasks.$': '$.probe.arns' },
        iamResources: [
          `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:task/${cluster.clusterName}/*`,
        ],
        resultSelector: { 'anyHealthy.$': "States.ArrayContains($.Tasks[*].HealthStatus, 'HEALTHY')" },
        resultPath: '$.probe',
      });
      const count = new sfn.Pass(this, `Count${key}Poll`, {
        stateName: `Count${key}Poll`,
        parameters: { 'n.$': 'States.MathAdd($.polls.n, 1)' },
        resultPath: '$.polls',
      });
      const giveUp = new sfn.Fail(this, `${key}NotHealthy`, {
        stateName: `${key}NotHealthy`,
        error: 'InferenceNotHealthy',
        cause: `no healthy ${key} task after ${MAX_HEALTH_POLLS} polls of ${HEALTH_POLL_SECONDS} s`,
      });
      const retry = sfn.Chain.start(count).next(
        new sfn.Choice(this, `${key}PollsLeft`, { stateName: `${key}PollsLeft` })
          .when(sfn.Condition.numberGreaterThanEquals('$.polls.n', MAX_HEALTH_POLLS), giveUp)
          .otherwise(poll),
      );
      const done = new sfn.Pass(this, `${key}Healthy`, {
        stateName: `${key}Healthy`,
        resultPath: sfn.JsonPath.DISCARD,
      });
      done.next(next);
      poll.next(list);
      list.next(
        new sfn.Choice(this, `${key}HasTask`, { stateName: `${key}HasTask` })
          .when(sfn.Condition.isPresent('$.probe.arns[0]'), describe)
          .otherwise(retry),
      );
      describe.next(
        new sfn.Choice(this, `${key}IsHealthy`, { stateName: `${key}IsHealthy` })
          .when(sfn.Condition.booleanEquals('$.probe.anyHealthy', true), done)
          .otherwise(retry),
      );
      return list;
    };

    // One quarter: scale up, wait healthy, batches, Map over batches, themes, sentiment.
    const batchesKey = sfn.JsonPath.format(
      `${props.runsPrefix}/{}/batches-{}.json`,
      sfn.JsonPath.executionName,
      sfn.JsonPath.stringAt('$.quarter'),
    );
    const listBatches = submit('batches', STATE.batches, {
      quarter: sfn.JsonPath.stringAt('$.quarter'),
      batchSize: sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.batchSize')),
      out: sfn.JsonPath.format(
        `s3://${props.bucket.bucketName}/${props.runsPrefix}/{}/batches-{}.json`,
        sfn.JsonPath.executionName,
        sfn.JsonPath.stringAt('$.quarter'),
      ),
    });
    const readBatches = new tasks.CallAwsService(this, STATE.readBatches, {
      stateName: STATE.readBatches,
      service: 's3',
      action: 'getObject',
      parameters: { Bucket: props.bucket.bucketName, Key: batchesKey },
      iamResources: [props.bucket.arnForObjects(`${props.runsPrefix}/*`)],
      iamAction: 's3:GetObject',
      resultSelector: { 'list.$': 'States.StringToJson($.Body)' },
      resultPath: '$.batches',
    });
    const firmBatch = submit('firm-batch', STATE.firmBatch, {
      quarter: sfn.JsonPath.stringAt('$.quarter'),
      batch: sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.batch')),
      batchSize: sfn.JsonPath.format('{}', sfn.JsonPath.stringAt('$.batchSize')),
    });
    const firmBatches = new sfn.Map(this, STATE.firmBatches, {
      stateName: STATE.firmBatches,
      itemsPath: '$.batches.list',
      maxConcurrencyPath: '$.maxConcurrency',
      itemSelector: {
        'quarter.$': '$.quarter',
        'batch.$': '$$.Map.Item.Value.batch',
        'batchSize.$': '$.batchSize',
        'firms.$': '$.firms',
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    firmBatches.itemProcessor(firmBatch);
    const quarterParams = { quarter: sfn.JsonPath.stringAt('$.quarter') };
    const themes = submit('themes', STATE.themes, quarterParams);
    const sentiment = submit('sentiment', STATE.sentiment, quarterParams);
    const work = sfn.Chain.start(listBatches)
      .next(readBatches)
      .next(firmBatches)
      .next(themes)
      .next(sentiment);

    const [llm, embed] = services;
    const waitEmbed = waitHealthy(embed.key, embed.service, work);
    const waitLlm = waitHealthy(llm.key, llm.service, waitEmbed);
    const quarter = sfn.Chain.start(scale(`ScaleUp${llm.key}`, llm.service, llm.replicas))
      .next(scale(`ScaleUp${embed.key}`, embed.service, embed.replicas))
      .next(waitLlm);

    const quarters = new sfn.Map(this, STATE.quarters, {
      stateName: STATE.quarters,
      itemsPath: '$.quarters',
      // In order, one at a time: themes link to the previous quarter's themes.
      maxConcurrency: 1,
      itemSelector: {
        'quarter.$': '$$.Map.Item.Value',
        'batchSize.$': '$.batchSize',
        'maxConcurrency.$': '$.maxConcurrency',
        'firms.$': '$.firms',
        polls: { n: 0 },
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    quarters.itemProcessor(quarter);

    const defaults = new sfn.Pass(this, 'Defaults', {
      stateName: 'Defaults',
      parameters: {
        'args.$': `States.JsonMerge(States.StringToJson('${JSON.stringify(INPUT_DEFAULTS)}'), $, false)`,
      },
      outputPath: '$.args',
    });
    const failed = new sfn.Fail(this, 'RunFailed', {
      stateName: 'RunFailed',
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    quarters.addCatch(scaleDown('AfterFailure').next(failed), {
      errors: ['States.ALL'],
      resultPath: '$.error',
    });
    const definition = sfn.Chain.start(defaults)
      .next(quarters)
      .next(scaleDown(''))
      .next(new sfn.Succeed(this, 'RunDone', { stateName: 'RunDone' }));

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.days(7),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }
}
