/**
 * `doctor`: what a deploy and a run need from an account, checked before the deploy, each answered in one line
 * that says what to request or run. Read from the synthesized template (what the deploy will create) and the
 * account: the CDK bootstrap stack, the endpoint instance types' Service Quotas against the template's maximum
 * instance count, the staged weights' manifests and objects, and the images (Docker to build the assets, or the
 * pushed serving image in ECR).
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, DescribeRepositoriesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import {
  GetServiceQuotaCommand,
  ListAWSDefaultServiceQuotasCommand,
  type ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import type { CfnTemplate } from '../diagrams/cfn.js';
import { modelFolder, readStagedManifest } from '../models/stage-models.js';

export type CheckState = 'ok' | 'warn' | 'fail';
export interface DoctorCheck {
  check: 'bootstrap' | 'quota' | 'weights' | 'images';
  state: CheckState;
  line: string;
}

/** What the deploy will create, read from its template. */
export interface DeployPlan {
  /** Endpoint instance types (pools included); empty when the template has no endpoint. */
  instanceTypes: string[];
  maxInstances: number;
  /** Hub ids of the models the endpoint loads. */
  models: string[];
  /** The weights come from the bucket's models/ prefix (ModelDataSource). */
  staged: boolean;
  /** A pushed serving image (a literal ECR URI) rather than an asset built at deploy. */
  servingImageUri?: string;
  /** Docker image assets the deploy builds. */
  assetImages: number;
}

/** Bootstrap stacks older than this lack what today's CDK synthesizer needs (its template's rule says 6). */
export const MIN_BOOTSTRAP_VERSION = 6;
const BOOTSTRAP_STACK = 'CDKToolkit';
const MODEL_ENV = ['CALLTHEMES_CHAT_MODEL', 'CALLTHEMES_EMBED_MODEL', 'CALLTHEMES_CLASSIFY_MODEL'];

export function deployPlanFrom(t: CfnTemplate): DeployPlan {
  const of = (type: string) => Object.values(t.Resources).filter((r) => r.Type === type);
  // biome-ignore lint/suspicious/noExplicitAny: a template's properties are untyped JSON, read field by field
  const props = (r: { Properties?: Record<string, unknown> }) => (r.Properties ?? {}) as Record<string, any>;
  const [config] = of('AWS::SageMaker::EndpointConfig');
  const variant = config ? props(config).ProductionVariants?.[0] : undefined;
  const instanceTypes: string[] = variant
    ? variant.InstanceType
      ? [variant.InstanceType]
      : (variant.InstancePools ?? []).map((p: { InstanceType: string }) => p.InstanceType)
    : [];
  const target = of('AWS::ApplicationAutoScaling::ScalableTarget').find(
    (r) => props(r).ServiceNamespace === 'sagemaker',
  );
  const [model] = of('AWS::SageMaker::Model');
  const container = model ? props(model).PrimaryContainer : undefined;
  const env = (container?.Environment ?? {}) as Record<string, string>;
  const images = [
    ...of('AWS::ECS::TaskDefinition').flatMap((r) =>
      (props(r).ContainerDefinitions ?? []).map((c: { Image: unknown }) => c.Image),
    ),
    ...(container ? [container.Image] : []),
  ];
  return {
    instanceTypes,
    maxInstances: Number(target ? props(target).MaxCapacity : 0),
    models: MODEL_ENV.map((k) => env[k]).filter((m): m is string => typeof m === 'string' && m.length > 0),
    staged: Boolean(container?.ModelDataSource),
    servingImageUri: typeof container?.Image === 'string' ? container.Image : undefined,
    assetImages: images.filter((i) => typeof i !== 'string').length,
  };
}

export interface DoctorDeps {
  cfn: CloudFormationClient;
  quotas: ServiceQuotasClient;
  s3: S3Client;
  ecr: ECRClient;
  /** Whether a Docker daemon answers (the deploy builds the image assets with it). */
  docker: () => Promise<boolean>;
  stackName: string;
}

const why = (err: unknown) => {
  const e = err as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
};

async function stackOutputs(cfn: CloudFormationClient, name: string): Promise<Record<string, string> | null> {
  try {
    const r = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const stack = r.Stacks?.[0];
    if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return null;
    return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (err) {
    if (/does not exist/i.test((err as Error).message ?? '')) return null;
    throw err;
  }
}

async function checkBootstrap(d: DoctorDeps): Promise<DoctorCheck> {
  const run = 'run: pnpm --filter @callthemes/infra exec cdk bootstrap';
  try {
    const out = await stackOutputs(d.cfn, BOOTSTRAP_STACK);
    if (!out)
      return {
        check: 'bootstrap',
        state: 'fail',
        line: `no ${BOOTSTRAP_STACK} stack in this region: ${run}`,
      };
    const version = Number(out.BootstrapVersion);
    if (!(version >= MIN_BOOTSTRAP_VERSION))
      return {
        check: 'bootstrap',
        state: 'fail',
        line: `${BOOTSTRAP_STACK} is version ${out.BootstrapVersion || '?'}, the deploy needs ≥ ${MIN_BOOTSTRAP_VERSION}: ${run} (upgrades it)`,
      };
    return { check: 'bootstrap', state: 'ok', line: `${BOOTSTRAP_STACK} version ${version}` };
  } catch (err) {
    return {
      check: 'bootstrap',
      state: 'fail',
      line: `cannot read ${BOOTSTRAP_STACK} (${why(err)}): check credentials and region`,
    };
  }
}

/** The SageMaker quota named "<type> for endpoint usage": its code, the account's value and AWS's default. */
async function endpointQuota(q: ServiceQuotasClient, instanceType: string) {
  const name = `${instanceType} for endpoint usage`;
  let token: string | undefined;
  do {
    const page = await q.send(
      new ListAWSDefaultServiceQuotasCommand({ ServiceCode: 'sagemaker', NextToken: token, MaxResults: 100 }),
    );
    const found = (page.Quotas ?? []).find((x) => x.QuotaName === name);
    if (found?.QuotaCode) {
      let value = found.Value ?? 0;
      try {
        const applied = await q.send(
          new GetServiceQuotaCommand({ ServiceCode: 'sagemaker', QuotaCode: found.QuotaCode }),
        );
        value = applied.Quota?.Value ?? value;
      } catch (err) {
        // No account-level value yet: the default applies.
        if ((err as Error).name !== 'NoSuchResourceException') throw err;
      }
      return { name, code: found.QuotaCode, value };
    }
    token = page.NextToken;
  } while (token);
  return { name, code: undefined, value: undefined };
}

async function checkQuotas(d: DoctorDeps, plan: DeployPlan): Promise<DoctorCheck[]> {
  if (plan.instanceTypes.length === 0)
    return [
      {
        check: 'quota',
        state: 'warn',
        line: 'the template has no endpoint (inferenceEndpoint=off): check again with the deploy that creates it',
      },
    ];
  const out: DoctorCheck[] = [];
  for (const type of plan.instanceTypes) {
    try {
      const q = await endpointQuota(d.quotas, type);
      if (q.code === undefined)
        out.push({
          check: 'quota',
          state: 'fail',
          line: `no Service Quota "${q.name}" in this region: choose an instance type SageMaker offers here`,
        });
      else if ((q.value ?? 0) < plan.maxInstances)
        out.push({
          check: 'quota',
          state: 'fail',
          line:
            `"${q.name}" is ${q.value}, the endpoint scales to ${plan.maxInstances}: request it — aws service-quotas ` +
            `request-service-quota-increase --service-code sagemaker --quota-code ${q.code} --desired-value ${plan.maxInstances}`,
        });
      else
        out.push({
          check: 'quota',
          state: 'ok',
          line: `"${q.name}" is ${q.value} ≥ ${plan.maxInstances} (the template's maximum instances)`,
        });
    } catch (err) {
      out.push({ check: 'quota', state: 'fail', line: `cannot read the quota of ${type} (${why(err)})` });
    }
  }
  return out;
}

async function checkWeights(d: DoctorDeps, plan: DeployPlan): Promise<DoctorCheck[]> {
  if (!plan.staged)
    return [
      {
        check: 'weights',
        state: 'warn',
        line: 'modelSource=hub: every cold start downloads the weights from the Hub, unpinned (stage them: docs/aws.md)',
      },
    ];
  const stage = (m: string) => `pnpm producer stage-models --model ${m} --revision <commit>`;
  let bucket: string | undefined;
  try {
    bucket = (await stackOutputs(d.cfn, d.stackName))?.InferenceBucket;
  } catch (err) {
    return [{ check: 'weights', state: 'fail', line: `cannot read stack ${d.stackName} (${why(err)})` }];
  }
  if (!bucket)
    return [
      {
        check: 'weights',
        state: 'fail',
        line:
          `no stack ${d.stackName} yet, so no bucket to stage into: deploy with -c callthemes:inferenceEndpoint=off, ` +
          `then ${plan.models.map((m) => stage(m)).join('; ')}`,
      },
    ];
  const out: DoctorCheck[] = [];
  for (const model of plan.models) {
    try {
      const manifest = await readStagedManifest(d.s3, bucket, model);
      if (!manifest) {
        out.push({
          check: 'weights',
          state: 'fail',
          line: `${model} is not staged in s3://${bucket}/models/: run ${stage(model)}`,
        });
        continue;
      }
      const sizes = new Map<string, number>();
      let token: string | undefined;
      const prefix = `models/${modelFolder(model)}/`;
      do {
        const page = await d.s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const c of page.Contents ?? []) sizes.set((c.Key ?? '').slice(prefix.length), c.Size ?? -1);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      const bad = manifest.files.filter((f) => sizes.get(f.path) !== f.size).map((f) => f.path);
      if (bad.length > 0)
        out.push({
          check: 'weights',
          state: 'fail',
          line: `${model}@${manifest.revision.slice(0, 12)}: ${bad.length} of ${manifest.files.length} files missing or resized (${bad.slice(0, 3).join(', ')}): run pnpm producer stage-models --model ${model} --revision ${manifest.revision}`,
        });
      else
        out.push({
          check: 'weights',
          state: 'ok',
          line: `${model}@${manifest.revision.slice(0, 12)} staged: ${manifest.files.length} files, ${(manifest.bytes / 1e9).toFixed(2)} GB`,
        });
    } catch (err) {
      out.push({ check: 'weights', state: 'fail', line: `cannot read the staged ${model} (${why(err)})` });
    }
  }
  return out;
}

async function checkImages(d: DoctorDeps, plan: DeployPlan): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  if (plan.servingImageUri) {
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::([^@]+))?/.exec(
      plan.servingImageUri,
    );
    if (!m)
      out.push({
        check: 'images',
        state: 'fail',
        line: `serving image ${plan.servingImageUri}: not an ECR image URI`,
      });
    else
      try {
        await d.ecr.send(
          new DescribeImagesCommand({
            registryId: m[1],
            repositoryName: m[3],
            imageIds: [{ imageTag: m[4] ?? 'latest' }],
          }),
        );
        out.push({ check: 'images', state: 'ok', line: `serving image ${plan.servingImageUri} is in ECR` });
      } catch (err) {
        out.push({
          check: 'images',
          state: 'fail',
          line: `serving image ${plan.servingImageUri} not found (${(err as Error).name}): build and push it (docs/inference.md, "Build and push")`,
        });
      }
  }
  if (plan.assetImages > 0) {
    if (await d.docker())
      out.push({
        check: 'images',
        state: 'ok',
        line: `Docker answers: the deploy builds and pushes ${plan.assetImages} image(s)`,
      });
    else
      out.push({
        check: 'images',
        state: 'fail',
        line: `no Docker daemon: the deploy builds ${plan.assetImages} image(s) — start Docker (or build on a machine that has it; for the serving image, push it and set -c inferenceImageUri=…)`,
      });
    try {
      const out0 = await stackOutputs(d.cfn, BOOTSTRAP_STACK);
      const repo = out0?.ImageRepositoryName;
      if (repo) {
        await d.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }));
        out.push({ check: 'images', state: 'ok', line: `asset repository ${repo} exists` });
      }
    } catch (err) {
      out.push({
        check: 'images',
        state: 'fail',
        line: `the bootstrap's image repository is missing (${(err as Error).name}): run pnpm --filter @callthemes/infra exec cdk bootstrap`,
      });
    }
  }
  return out;
}

export async function runDoctor(d: DoctorDeps, plan: DeployPlan): Promise<DoctorCheck[]> {
  return [
    await checkBootstrap(d),
    ...(await checkQuotas(d, plan)),
    ...(await checkWeights(d, plan)),
    ...(await checkImages(d, plan)),
  ];
}

export function formatChecks(checks: DoctorCheck[]): string {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;
  return checks.map((c) => `${mark[c.state]}  ${c.check.padEnd(9)} ${c.line}\n`).join('');
}
