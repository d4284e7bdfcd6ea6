/**
 * The deployed stack's outputs, read with CloudFormation DescribeStacks: what `pnpm producer enqueue|status|
 * redrive --backend aws` needs (queue URLs, counters table, lake, endpoint, firm service) without flags.
 * The output keys are infra's (STACK_OUTPUT_KEYS in @callthemes/common/config).
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Output,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DEFAULT_CONFIG, STACK_OUTPUT_KEYS, type StackOutputKey } from '@callthemes/common/config';

export type StackOutputs = Record<StackOutputKey, string>;

/**
 * CloudFormation's Outputs list → the typed object; throws naming the stack and every missing key (a stack
 * from an older infra, or another stack of the same name).
 */
export function mapStackOutputs(stackName: string, outputs: readonly Output[] | undefined): StackOutputs {
  const byKey = new Map((outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const missing = STACK_OUTPUT_KEYS.filter((k) => !byKey.get(k));
  if (missing.length > 0)
    throw new Error(
      `stack ${stackName}: missing output${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
        '(deploy the current infra: pnpm --filter @callthemes/infra exec cdk deploy)',
    );
  return Object.fromEntries(STACK_OUTPUT_KEYS.map((k) => [k, byKey.get(k) as string])) as StackOutputs;
}

export async function readStackOutputs(
  stackName: string = DEFAULT_CONFIG.stackName,
  o: { client?: CloudFormationClient } = {},
): Promise<StackOutputs> {
  const client = o.client ?? new CloudFormationClient({});
  let stack: Stack | undefined;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (err) {
    const e = err as Error;
    throw new Error(`stack ${stackName}: cannot describe it (${e.name}: ${e.message})`);
  }
  if (!stack) throw new Error(`stack ${stackName}: not found`);
  return mapStackOutputs(stackName, stack.Outputs);
}
