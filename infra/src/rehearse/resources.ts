/**
 * The template's SQS queues and DynamoDB tables created on an emulator from their own resource properties (the
 * rehearsal's stack and the infra tests' check of the template both make them here, so what is rehearsed is what
 * is tested). Dead-letter queues first, then the queues whose RedrivePolicy names them; what each created
 * resource's `Ref` / `Fn::GetAtt` give goes into `created`.
 */
import { CreateTableCommand, type DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type CfnTemplate, type Created, ofType, PSEUDO, resolve } from './template.js';

/** The SQS attributes a CloudFormation AWS::SQS::Queue sets (the ones the fleet relies on). */
const SQS_ATTRIBUTES = [
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'VisibilityTimeout',
  'ReceiveMessageWaitTimeSeconds',
  'SqsManagedSseEnabled',
] as const;

export interface CreatedQueues {
  /** Each queue's VisibilityTimeout (s) as created, by logical id. */
  visibility: Record<string, number>;
  /** One line per attribute changed from the template (the scaled visibility timeouts). */
  deviations: string[];
}

/**
 * Every AWS::SQS::Queue of `t` with its attributes and redrive policy; `timeScale` > 1 divides each
 * VisibilityTimeout (rounded up, at least 1 s) and lists it as a deviation.
 */
export async function createQueues(
  sqs: SQSClient,
  t: CfnTemplate,
  created: Created,
  timeScale = 1,
): Promise<CreatedQueues> {
  const visibility: Record<string, number> = {};
  const deviations: string[] = [];
  const queues = ofType(t, 'AWS::SQS::Queue').sort(
    ([, a], [, b]) =>
      Number(Boolean(a.Properties?.RedrivePolicy)) - Number(Boolean(b.Properties?.RedrivePolicy)),
  );
  for (const [id, q] of queues) {
    const p = q.Properties ?? {};
    const attributes: Record<string, string> = {};
    for (const k of SQS_ATTRIBUTES) if (p[k] !== undefined) attributes[k] = String(p[k]);
    if (p.VisibilityTimeout !== undefined) {
      const scaled = Math.max(1, Math.ceil(Number(p.VisibilityTimeout) / timeScale));
      attributes.VisibilityTimeout = String(scaled);
      visibility[id] = scaled;
      if (scaled !== Number(p.VisibilityTimeout))
        deviations.push(
          `${id} VisibilityTimeout ${p.VisibilityTimeout} s → ${scaled} s (time ÷ ${timeScale})`,
        );
    }
    if (p.RedrivePolicy)
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: resolve(p.RedrivePolicy.deadLetterTargetArn, created),
        maxReceiveCount: p.RedrivePolicy.maxReceiveCount,
      });
    const name = String(p.QueueName ?? id);
    const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const a = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: out.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const url = out.QueueUrl!;
    created.set(id, { Ref: url, QueueUrl: url, Arn: a.Attributes!.QueueArn!, QueueName: name });
  }
  return { visibility, deviations };
}

/** Every AWS::DynamoDB::GlobalTable and ::Table of `t` with its key schema and billing mode, once active. */
export async function createTables(ddb: DynamoDBClient, t: CfnTemplate, created: Created): Promise<void> {
  for (const [id, r] of [...ofType(t, 'AWS::DynamoDB::GlobalTable'), ...ofType(t, 'AWS::DynamoDB::Table')]) {
    const p = r.Properties ?? {};
    const name = String(p.TableName ?? id);
    await ddb.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: p.KeySchema,
        AttributeDefinitions: p.AttributeDefinitions,
        BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1 }, { TableName: name });
    created.set(id, {
      Ref: name,
      Arn: `arn:aws:dynamodb:${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}:table/${name}`,
    });
  }
}
