/**
 * `doctor`: checks an AWS account before a deploy (bootstrap, the endpoint instance types' quota against the
 * template's maximum, the staged weights, the images), one line each saying what to request or run. The first
 * step of docs/aws.md's runbook after `pnpm rehearse`. Exit 1 when any check fails.
 */
import { spawnSync } from 'node:child_process';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { DEFAULT_CONFIG, stringSetting } from '@callthemes/common/config';
import type { Command } from 'commander';
import { s3ClientFromEnv } from '../../aws/clients.js';
import { deployPlanFrom, formatChecks, runDoctor } from '../../aws/doctor.js';
import { keyValuesFrom, withExample } from '../common.js';
import { refuseSynthContext, synthesizeApp, templateFrom } from './diagrams.js';

/** `docker version` answers when a daemon runs (CALLTHEMES_DOCKER names another binary). */
function dockerAnswers(): Promise<boolean> {
  const bin = process.env.CALLTHEMES_DOCKER || 'docker';
  const r = spawnSync(bin, ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  return Promise.resolve(r.status === 0);
}

export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description(
      'check an AWS account before a deploy: CDK bootstrap, the endpoint instance quota ≥ the template’s maximum, staged weights, images',
    )
    .option(
      '--template <file>',
      'the synthesized template to check against (default: synthesize the CDK app)',
    )
    .option('--cdk-out <dir>', 'a cdk.out folder holding one *.template.json (pnpm synth -o)')
    .option(
      '-c, --context <key=value...>',
      'CDK context of the deploy, e.g. callthemes:inferenceMaxInstances=4',
    );
  withExample(cmd, 'pnpm producer doctor --cdk-out cdk.out');
  cmd.action(async (opts) => {
    refuseSynthContext(opts);
    const template = templateFrom(opts) ?? synthesizeApp(keyValuesFrom(opts.context, 'context'), {});
    const plan = deployPlanFrom(template);
    const deps = {
      cfn: new CloudFormationClient({}),
      quotas: new ServiceQuotasClient({}),
      s3: s3ClientFromEnv(),
      ecr: new ECRClient({}),
      docker: dockerAnswers,
      stackName: stringSetting('stackName', undefined, DEFAULT_CONFIG.stackName),
    };
    try {
      const checks = await runDoctor(deps, plan);
      process.stdout.write(formatChecks(checks));
      const failed = checks.filter((c) => c.state === 'fail').length;
      process.stdout.write(
        failed === 0 ? 'doctor: ready to deploy\n' : `doctor: ${failed} check(s) to fix before the deploy\n`,
      );
      if (failed > 0) process.exitCode = 1;
    } finally {
      for (const c of Object.values(deps)) if (typeof c === 'object' && 'destroy' in c) c.destroy();
    }
  });
}
