/**
 * `stage-models`: a model's weights, pinned to a commit, into the lake bucket's `models/` prefix, which the
 * endpoint mounts at /opt/ml/model (docs/aws.md, "Model weights"). Run once per model on a machine with
 * internet (or with a downloaded snapshot); resumable.
 */
import { DEFAULT_CONFIG, stringSetting } from '@callthemes/common/config';
import type { Command } from 'commander';
import { s3ClientFromEnv } from '../../aws/clients.js';
import { readStackOutputs } from '../../aws/stack-outputs.js';
import { COMMIT_RE, DEFAULT_HUB_URL } from '../../models/hub.js';
import { stageModel } from '../../models/stage-models.js';
import { UsageError, withExample } from '../common.js';

/** The lake bucket: --bucket, else the deployed stack's InferenceBucket output. */
export async function bucketFrom(opts: { bucket?: string }): Promise<string> {
  if (opts.bucket) return opts.bucket;
  const stackName = stringSetting('stackName', undefined, DEFAULT_CONFIG.stackName);
  try {
    return (await readStackOutputs(stackName)).InferenceBucket;
  } catch (err) {
    throw new UsageError(
      `${(err as Error).message}; pass --bucket, or deploy the stack first (with -c callthemes:inferenceEndpoint=off before the weights are staged: docs/aws.md)`,
    );
  }
}

export function registerStageModels(program: Command): void {
  const cmd = program
    .command('stage-models')
    .description(
      "copy a model's weights, pinned to a commit and checked, into the lake bucket's models/ prefix for the endpoint (resumable)",
    )
    .requiredOption(
      '--model <id>',
      `Hub id (the stack's: ${DEFAULT_CONFIG.llmModel}, ${DEFAULT_CONFIG.embedModel}, ${DEFAULT_CONFIG.classifyModel})`,
    )
    .option('--revision <commit>', 'the 40-hex commit to stage (downloads it from the Hub unless --from)')
    .option(
      '--from <dir>',
      'a downloaded snapshot folder instead of the Hub (its commit is read from it, or give --revision)',
    )
    .option('--bucket <name>', "the lake bucket (default: the deployed stack's InferenceBucket output)")
    .option(
      '--hub-url <url>',
      `the Hub (default ${DEFAULT_HUB_URL}); HF_TOKEN from the environment for gated models`,
    )
    .option('--work-dir <dir>', 'where Hub downloads are kept and resumed', '.cache/stage-models')
    .option('--part-size-mb <n>', 'multipart part size in MiB (≥ 5)', '64');
  withExample(
    cmd,
    'pnpm producer stage-models --model Qwen/Qwen3-8B-FP8 --revision <commit>   (or --from ~/.cache/huggingface/hub/models--Qwen--Qwen3-8B-FP8/snapshots/<commit>)',
  );
  cmd.action(async (opts) => {
    if (!opts.from && !opts.revision)
      throw new UsageError('give --revision <commit> (download from the Hub) or --from <snapshot dir>');
    if (opts.revision && !COMMIT_RE.test(opts.revision))
      throw new UsageError(
        `--revision ${opts.revision}: pin a 40-hex commit id (a branch or tag can move under the staged copy)`,
      );
    const partMb = Number(opts.partSizeMb);
    if (!Number.isFinite(partMb) || partMb < 5)
      throw new UsageError(`--part-size-mb ${opts.partSizeMb}: at least 5`);
    const bucket = await bucketFrom(opts);
    const s3 = s3ClientFromEnv();
    try {
      const r = await stageModel({
        model: opts.model,
        revision: opts.revision,
        from: opts.from,
        hubUrl: opts.hubUrl,
        token: process.env.HF_TOKEN || undefined,
        workDir: opts.workDir,
        s3,
        bucket,
        partBytes: partMb * 1024 ** 2,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      process.stdout.write(
        `staged ${r.manifest.model}@${r.manifest.revision} at s3://${bucket}/${r.manifestKey.replace(/\.staged\.json$/, '/')} ` +
          `(${r.manifest.files.length} files; manifest ${r.manifestKey})\n`,
      );
    } finally {
      s3.destroy();
    }
  });
}
