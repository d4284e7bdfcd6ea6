/**
 * Builds the CDK app: the stack with settings from context, cdk-nag's AwsSolutions checks applied, and
 * `synth` into a folder. Used by `bin/cdk-app` (the CDK CLI's `--app`) and by `pnpm synth`.
 */
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type CloudConfig, configFromContext } from './config.js';
import { suppressReviewedFindings } from './nag-suppressions.js';
import { CallthemesStack } from './stack.js';

export interface BuildOptions {
  outdir?: string;
  /** Settings that win over context (tests, CLI flags). */
  config?: Partial<CloudConfig>;
  context?: Record<string, unknown>;
  /** Account/region of the deployment; unset = environment-agnostic (synth works offline). */
  env?: { account?: string; region?: string };
  /** Applies cdk-nag's AwsSolutions pack (default true). */
  nag?: boolean;
  /** Applies the reviewed acknowledgements (default true; tests turn it off to see the findings they cover). */
  acknowledge?: boolean;
}

export function buildApp(o: BuildOptions = {}): { app: App; stack: CallthemesStack; config: CloudConfig } {
  const app = new App({ outdir: o.outdir, context: o.context });
  const config = configFromContext(app.node, o.config);
  const stack = new CallthemesStack(app, config.stackName, {
    config,
    env: o.env,
    description:
      'callthemes: earnings-call topics, themes and sentiment on AWS (SQS fleet on Fargate Spot, SageMaker async, S3 lake)',
  });
  if (o.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    if (o.acknowledge ?? true) suppressReviewedFindings(stack, config.clusterName);
  }
  return { app, stack, config };
}

/** cdk-nag errors left after synth (annotations at error level), as `path: message` lines. */
export function nagErrors(stack: Stack): string[] {
  const out: string[] = [];
  for (const child of stack.node.findAll()) {
    for (const m of child.node.metadata) {
      if (m.type === 'aws:cdk:error') out.push(`${child.node.path}: ${String(m.data)}`);
    }
  }
  return out;
}
