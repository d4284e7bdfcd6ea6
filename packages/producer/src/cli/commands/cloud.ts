/**
 * `callthemes cloud synth|deploy|start|status`: the AWS deployment (docs/aws.md). synth writes the
 * CloudFormation template offline; deploy runs the AWS CDK CLI on the same app; start begins a run of the
 * state machine; status shows an execution and each quarter's progress read from the S3 lake's manifests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringSetting } from '@callthemes/common/config';
import { manifestKey, openStore } from '@callthemes/common/lake';
import type { Command } from 'commander';
import { intOption, keyValuesFrom, quartersFrom, UsageError, withExample } from '../common.js';

const OUTPUTS_FILE = 'cdk-outputs.json';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
/** infra's synth program (`pnpm synth`), run as a process. */
export const INFRA_SYNTH = join(REPO_ROOT, 'infra', 'bin', 'synth.js');

export function registerCloud(program: Command): void {
  const cloud = program
    .command('cloud')
    .description('deploy and run on AWS (Batch, Step Functions, vLLM on ECS, S3)');
  withExample(cloud, 'pnpm synth -o cdk.out');

  const synth = cloud
    .command('synth')
    .description('synthesize the CloudFormation template (offline; cdk-nag AwsSolutions checks included)')
    .option('--out <dir>', 'output folder (default cdk.out)')
    .option('-c, --context <key=value...>', 'CDK context, e.g. callthemes:maxAzs=2');
  withExample(synth, 'pnpm synth -o cdk.out -c callthemes:source=motley-json');
  synth.action((opts) => {
    // The app is infra's: run its synth program (this package never imports infra's code).
    const args = [INFRA_SYNTH, '-o', opts.out ?? 'cdk.out'];
    for (const [k, v] of Object.entries(keyValuesFrom(opts.context, 'context'))) args.push('-c', `${k}=${v}`);
    const res = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (res.error) throw new Error(`cannot run ${INFRA_SYNTH}: ${res.error.message}`);
    process.exitCode = res.status ?? 1;
  });

  const deploy = cloud
    .command('deploy')
    .description('deploy the stack with the AWS CDK CLI (needs AWS credentials and a bootstrapped account)')
    .option('-c, --context <key=value...>', 'CDK context, e.g. callthemes:imageTag=v1')
    .option('--require-approval <level>', 'never | any-change | broadening', 'broadening');
  withExample(deploy, 'callthemes cloud deploy -c callthemes:imageTag=2026-11-29');
  deploy.action((opts) => {
    const cdkBin = join(REPO_ROOT, 'infra', 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const app = `node ${join(REPO_ROOT, 'infra', 'bin', 'cdk-app.js')}`;
    const ctx = Object.entries(keyValuesFrom(opts.context, 'context')).flatMap(([k, v]) => [
      '-c',
      `${k}=${v}`,
    ]);
    const res = spawnSync(
      process.execPath,
      [
        cdkBin,
        'deploy',
        '--app',
        app,
        '--require-approval',
        opts.requireApproval,
        '--outputs-file',
        OUTPUTS_FILE,
        ...ctx,
      ],
      { stdio: 'inherit', cwd: REPO_ROOT },
    );
    if (res.error)
      throw new Error(`cannot run the AWS CDK CLI (pnpm install in infra): ${res.error.message}`);
    process.exitCode = res.status ?? 1;
  });

  const start = cloud
    .command('start')
    .description('start a run of the state machine')
    .option('--quarters <range>', 'quarters, e.g. 2019Q1..2020Q4 (processed in order)')
    .option('--batch-size <n>', 'firms per batch (default 50)')
    .option('--max-concurrency <n>', 'firm batches at once per quarter (default 20)')
    .option('--firms <spec>', 'firms to process (CALLTHEMES_FIRMS of each job; default all)')
    .option('--state-machine <arn>', 'state machine ARN (default: StateMachineArn in cdk-outputs.json)')
    .option('--name <name>', 'execution name (default run-<time>)');
  withExample(start, 'callthemes cloud start --quarters 2019Q1..2020Q4 --batch-size 50 --max-concurrency 20');
  start.action(async (opts) => {
    const quarters = quartersFrom(opts.quarters);
    const input = {
      quarters,
      batchSize: intOption('batchSize', opts.batchSize, 50),
      maxConcurrency: intOption('maxConcurrency', opts.maxConcurrency, 20),
      ...(opts.firms ? { firms: String(opts.firms) } : {}),
    };
    const arn = stackOutput('StateMachineArn', opts.stateMachine, 'stateMachine');
    const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
    const name = opts.name ?? `run-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;
    const res = await new SFNClient({}).send(
      new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }),
    );
    process.stdout.write(`${res.executionArn}\n`);
  });

  const status = cloud
    .command('status')
    .description('an execution’s state and each quarter’s progress from the lake manifests')
    .argument('<execution-arn>', 'from `cloud start`')
    .option('--lake <url>', 's3://bucket/lake (default: LakeUrl in cdk-outputs.json)');
  withExample(
    status,
    'callthemes cloud status arn:aws:states:us-east-1:123456789012:execution:Run:run-20261129T1000',
  );
  status.action(async (executionArn: string, opts) => {
    if (!executionArn.startsWith('arn:')) throw new UsageError(`not an execution ARN: ${executionArn}`);
    const { SFNClient, DescribeExecutionCommand } = await import('@aws-sdk/client-sfn');
    const ex = await new SFNClient({}).send(new DescribeExecutionCommand({ executionArn }));
    const input = JSON.parse(ex.input ?? '{}') as { quarters?: string[] };
    const lake = openStore(stackOutput('LakeUrl', opts.lake, 'lake'));
    const lines = [`${ex.name}: ${ex.status} (started ${ex.startDate?.toISOString() ?? '?'})`];
    if (ex.error) lines.push(`  error: ${ex.error}: ${(ex.cause ?? '').slice(0, 300)}`);
    const store = openStore(lake.root.replace(/\/lake$/, ''));
    for (const q of input.quarters ?? [])
      lines.push(`  ${await quarterProgress(lake, store, ex.name ?? '', q)}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}

/** `2021Q1: 37/100 firm batches, themes done, sentiment pending`, from manifests written last by each job. */
export async function quarterProgress(
  lake: ReturnType<typeof openStore>,
  bucketRoot: ReturnType<typeof openStore>,
  executionName: string,
  quarter: string,
): Promise<string> {
  const listText = await bucketRoot.getText(`runs/${executionName}/batches-${quarter}.json`);
  if (listText === null) return `${quarter}: not started`;
  const batches = JSON.parse(listText) as { batch: number }[];
  let done = 0;
  for (const b of batches) if (await lake.exists(manifestKey(quarter, 'firm', b.batch))) done++;
  const stage = async (name: string) =>
    (await lake.list(`_manifests/quarter=${quarter}/${name}`)).length > 0 ? 'done' : 'pending';
  return `${quarter}: ${done}/${batches.length} firm batches, themes ${await stage('themes')}, sentiment ${await stage('sentiment')}`;
}

/** A stack output, from the flag's setting (env `CALLTHEMES_<KEY>`) or the `cdk-outputs.json` deploy wrote. */
function stackOutput(key: string, flag: unknown, setting: string): string {
  const given = stringSetting(setting, flag);
  if (given) return given;
  for (const dir of [process.cwd(), REPO_ROOT]) {
    const file = join(dir, OUTPUTS_FILE);
    if (!existsSync(file)) continue;
    const outputs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
    for (const stack of Object.values(outputs)) if (stack[key]) return stack[key];
  }
  throw new UsageError(
    `no ${key}: give --${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} or run \`callthemes cloud deploy\` first (it writes ${OUTPUTS_FILE})`,
  );
}
