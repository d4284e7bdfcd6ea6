/**
 * cdk-nag AwsSolutions findings reviewed and accepted, each with the reason. A path that no longer exists
 * fails the synth, so an acknowledgement cannot outlive the resource it was written for.
 */
import { type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

interface Acknowledgement {
  path: string;
  ids: string[];
  reason: string;
}

const BUCKET = '<LakeBucketB1D32E10.Arn>';
/** What `grantRead`/`grantPut`/`grantReadWrite` generate: object-level action groups of the S3 grants. */
const S3_GRANT_ACTIONS = ['s3:Abort*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map(
  (a) => `IAM5[Action::${a}]`,
);
const INFERENCE_PREFIXES = ['inference/requests', 'inference/responses', 'inference/failures'].map(
  (p) => `IAM5[Resource::${BUCKET}/${p}/*]`,
);

const ACKS: Acknowledgement[] = [
  ...['FirmWorker', 'ThemeWorker'].map((w) => ({
    path: `${w}/Task/TaskRole/DefaultPolicy/Resource`,
    ids: [
      ...S3_GRANT_ACTIONS,
      'IAM5[Action::s3:DeleteObject*]',
      ...INFERENCE_PREFIXES,
      `IAM5[Resource::${BUCKET}/lake/*]`,
      `IAM5[Resource::${BUCKET}/input/*]`,
    ],
    reason:
      'Workers write and replace Parquet parts and manifests, and async-inference requests, whose names are ' +
      'only known at run time; access is limited to the lake/, input/ (read) and inference/ prefixes of the ' +
      'stack’s own bucket, through the grant methods’ standard action groups.',
  })),
  ...['FirmWorker', 'ThemeWorker'].map((w) => ({
    path: `${w}/Task/ExecutionRole/DefaultPolicy/Resource`,
    ids: ['IAM5[Resource::*]'],
    reason: 'ecr:GetAuthorizationToken takes no resource; image pulls are scoped to the asset repository.',
  })),
  ...['FirmWorker', 'ThemeWorker'].map((w) => ({
    path: `${w}/Task/Resource`,
    ids: ['ECS2'],
    reason:
      'The environment holds only resource names (queue URLs, table, bucket, endpoint, service): no secrets; ' +
      'PostgreSQL credentials, when used, come from Secrets Manager as ECS secrets.',
  })),
  {
    path: 'Inference/Role/DefaultPolicy/Resource',
    ids: [
      ...S3_GRANT_ACTIONS,
      ...INFERENCE_PREFIXES,
      'IAM5[Resource::*]',
      'IAM5[Action::kms:GenerateDataKey*]',
      `IAM5[Resource::${BUCKET}/models/*]`,
    ],
    reason:
      'SageMaker reads each async request and writes its result or failure under the inference/ prefixes (ids ' +
      'known at run time only); cloudwatch:PutMetricData takes no resource and is limited by a namespace ' +
      'condition; ecr:GetAuthorizationToken takes no resource; publishing to the encrypted notification topics ' +
      'needs kms:GenerateDataKey* on the stack’s own alerts key only; the staged weights are read from the ' +
      'models/ prefix as a whole (ModelDataSource S3Prefix).',
  },
];

/** Task scale-in protection: the agent endpoint acts on the calling task, whose id is known at run time only. */
function taskProtectionAcks(clusterName: string): Acknowledgement[] {
  return ['FirmWorker', 'ThemeWorker'].map((w) => ({
    path: `${w}/Task/TaskRole/DefaultPolicy/Resource`,
    ids: [`IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/${clusterName}/*]`],
    reason:
      'A worker protects its own task from scale-in while it holds a message (ECS agent endpoint, which calls ' +
      'Get/UpdateTaskProtection with the task role); task ids exist only at run time, so the grant covers the ' +
      'tasks of the stack’s own cluster.',
  }));
}

export function suppressReviewedFindings(stack: Stack, clusterName: string): void {
  for (const ack of [...ACKS, ...taskProtectionAcks(clusterName)]) {
    const target = findByPath(stack, ack.path);
    for (const id of ack.ids)
      Validations.of(target).acknowledge({ id: `AwsSolutions-${id}`, reason: ack.reason });
  }
}

function findByPath(stack: Stack, path: string): IConstruct {
  let node: IConstruct = stack;
  for (const part of path.split('/')) {
    const child = node.node.tryFindChild(part);
    if (!child) throw new Error(`cdk-nag acknowledgement for a missing construct: ${stack.node.id}/${path}`);
    node = child;
  }
  return node;
}
