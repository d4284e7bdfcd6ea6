/**
 * The stack on emulated AWS: moto's servers on 127.0.0.1 (SQS, S3, CloudFormation, ECS on a threaded one;
 * DynamoDB on a serial one, whose conditional writes are atomic as DynamoDB's are), the template's queues,
 * table, bucket, cluster and services created from its own properties (moto's CloudFormation cannot create the
 * whole template), and a stack registered with the template's outputs, which the producer reads as on AWS.
 * Only time is scaled: each queue's VisibilityTimeout is divided by `timeScale`; every deviation is listed.
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsClientConfig, type MotoServer, startMotoServer } from '@callthemes/common/testing';
import { createQueues, createTables } from './resources.js';
import { type S3Counter, startS3Counter } from './s3-counter.js';
import { type CfnTemplate, type Created, ofType, PSEUDO, resolve } from './template.js';

export const STACK_NAME = PSEUDO['AWS::StackName'];

export interface EmulatedStack {
  /** moto's threaded server: SQS, S3, CloudFormation, ECS (AWS_ENDPOINT_URL). */
  endpoint: string;
  /** moto's serial server: DynamoDB (AWS_ENDPOINT_URL_DYNAMODB). */
  dynamodbEndpoint: string;
  /** The counting proxy in front of S3 (AWS_ENDPOINT_URL_S3). */
  s3: S3Counter;
  region: string;
  /** The keys moto accepts (the operator's side and the credentials endpoint hand them out). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** An SDK client's config for the threaded server (`endpoint`, `region`, `credentials`). */
  clientConfig: AwsClientConfig;
  created: Created;
  outputs: Record<string, string>;
  /** Differences from the template, one line each. */
  deviations: string[];
  /** Queue visibility timeouts (s) as created, by logical id. */
  visibility: Record<string, number>;
  stop(): Promise<void>;
}

/** `label` (a scenario's name) goes into the bucket names, so each scenario's lake has a name of its own. */
export async function emulateStack(
  t: CfnTemplate,
  o: { timeScale: number; label?: string },
): Promise<EmulatedStack> {
  const servers: MotoServer[] = [];
  const stoppers: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s();
    for (const s of servers) await s.stop();
  };
  try {
    const main = await startMotoServer();
    servers.push(main);
    const tables = await startMotoServer({ serial: true });
    servers.push(tables);
    const s3 = await startS3Counter(main.endpoint);
    stoppers.push(() => s3.close());
    const config = main.clientConfig;
    const sqs = new SQSClient(config);
    const s3c = new S3Client({ ...config, forcePathStyle: true });
    const ecs = new ECSClient(config);
    const cfn = new CloudFormationClient(config);
    const ddb = new DynamoDBClient({ ...config, endpoint: tables.endpoint });
    stoppers.push(() => {
      for (const c of [sqs, s3c, ecs, cfn, ddb]) c.destroy();
    });
    const created: Created = new Map();
    const deviations: string[] = [
      "DynamoDB on a second, serial moto server (moto's threaded server does not make conditional writes atomic)",
    ];

    for (const [id, r] of ofType(t, 'AWS::S3::Bucket')) {
      const name = String(
        r.Properties?.BucketName ?? `${id.toLowerCase()}-rehearsal${o.label ? `-${o.label}` : ''}`,
      ).slice(0, 63);
      await s3c.send(new CreateBucketCommand({ Bucket: name }));
      created.set(id, { Ref: name, Arn: `arn:aws:s3:::${name}`, BucketName: name });
    }
    const queues = await createQueues(sqs, t, created, o.timeScale);
    deviations.push(...queues.deviations);
    await createTables(ddb, t, created);
    for (const [id, r] of ofType(t, 'AWS::ECS::Cluster')) {
      const name = String(r.Properties?.ClusterName ?? id);
      const c = await ecs.send(new CreateClusterCommand({ clusterName: name }));
      created.set(id, { Ref: name, Arn: c.cluster!.clusterArn! });
    }
    for (const [id] of ofType(t, 'AWS::ECS::TaskDefinition')) {
      const td = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: id,
          containerDefinitions: [{ name: 'worker', image: 'rehearsal-artifact', memory: 512 }],
        }),
      );
      created.set(id, { Ref: td.taskDefinition!.taskDefinitionArn! });
    }
    for (const [id, r] of ofType(t, 'AWS::ECS::Service')) {
      const p = r.Properties ?? {};
      const cluster = resolve(p.Cluster, created);
      const s = await ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: String(p.ServiceName ?? id),
          taskDefinition: resolve(p.TaskDefinition, created),
          desiredCount: 0,
        }),
      );
      created.set(id, { Ref: s.service!.serviceArn!, Name: s.service!.serviceName! });
    }
    deviations.push(
      'ECS services registered with desired count 0: the rehearsal starts the tasks as processes',
    );
    for (const [id, r] of ofType(t, 'AWS::SageMaker::EndpointConfig')) {
      const name = String(r.Properties?.EndpointConfigName ?? id);
      created.set(id, { Ref: name, EndpointConfigName: name });
    }
    for (const [id, r] of ofType(t, 'AWS::SageMaker::Endpoint')) {
      const name = String(r.Properties?.EndpointName ?? id);
      created.set(id, { Ref: name, EndpointName: name });
    }
    for (const [id, r] of ofType(t, 'AWS::CloudWatch::Dashboard')) {
      const name = String(r.Properties?.DashboardName ?? id);
      created.set(id, { Ref: name });
    }
    const outputs: Record<string, string> = {};
    for (const [key, out] of Object.entries(t.Outputs ?? {})) outputs[key] = resolve(out.Value, created);
    // The stack the producer reads: the template's outputs, resolved, on a stand-in resource.
    await cfn.send(
      new CreateStackCommand({
        StackName: STACK_NAME,
        TemplateBody: JSON.stringify({
          Resources: { RehearsalHandle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
          Outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])),
        }),
      }),
    );
    deviations.push(
      `stack ${STACK_NAME} registered on moto with the template's outputs (resources created one by one)`,
    );
    return {
      endpoint: main.endpoint,
      dynamodbEndpoint: tables.endpoint,
      s3,
      region: main.region,
      credentials: main.credentials,
      clientConfig: config,
      created,
      outputs,
      deviations,
      visibility: queues.visibility,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
