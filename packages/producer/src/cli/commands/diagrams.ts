/**
 * `callthemes diagrams`: PlantUML sources generated from this build, its settings and the CDK app (synthesized
 * here, or read from `--template` / `--cdk-out`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringSetting } from '@callthemes/common/config';
import { type Command, Option } from 'commander';
import { type CfnTemplate, loadTemplate } from '../../diagrams/cfn.js';
import { generateDiagrams, render, writeSources } from '../../diagrams/generate.js';
import { keyValuesFrom, refuseGiven, UsageError, withExample } from '../common.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
/** infra's synth program (`pnpm synth`), run as a process: the diagrams read its template, never its code. */
export const INFRA_SYNTH = join(REPO_ROOT, 'infra', 'bin', 'synth.js');
/**
 * The diagrams need the app's shape, not the serving image: a placeholder pushed-image URI spares building
 * (and requiring) infra/serving's asset.
 */
export const DIAGRAM_CONTEXT = {
  inferenceImageUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/callthemes-serving:diagrams',
};

/** `--context` shapes a synthesis: with a template given there is none. */
export function refuseSynthContext(opts: { template?: string; cdkOut?: string; context?: string[] }): void {
  if (opts.template !== undefined || opts.cdkOut !== undefined)
    refuseGiven(opts, ['context'], 'only apply when the app is synthesized (no --template or --cdk-out)');
}

/** `--template file.json`, or the only `*.template.json` in `--cdk-out <dir>`; undefined when neither is given. */
export function templateFrom(opts: { template?: string; cdkOut?: string }): CfnTemplate | undefined {
  let path = stringSetting('template', opts.template);
  const cdkOut = stringSetting('cdkOut', opts.cdkOut);
  if (!path && cdkOut) {
    if (!existsSync(cdkOut))
      throw new UsageError(`--cdk-out ${cdkOut}: no such folder (run pnpm synth -o <dir>)`);
    const found = readdirSync(cdkOut).filter((f) => f.endsWith('.template.json'));
    if (found.length !== 1)
      throw new UsageError(
        `--cdk-out ${cdkOut}: expected one *.template.json, found ${found.length}; pass --template`,
      );
    path = join(cdkOut, found[0]);
  }
  if (!path) return undefined;
  try {
    return loadTemplate(path);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Synthesizes infra's CDK app (cdk-nag off) in a scratch folder by running its synth program, and reads the
 * template file it writes: the diagrams need the app's shape, never its code.
 */
export function synthesizeApp(
  context: Record<string, string>,
  base: Record<string, string> = DIAGRAM_CONTEXT,
): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'callthemes-synth-'));
  try {
    const args = [INFRA_SYNTH, '-o', outdir, '--no-nag'];
    for (const [k, v] of Object.entries({ ...base, ...context })) args.push('-c', `${k}=${v}`);
    const t0 = performance.now();
    const res = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (res.status !== 0)
      throw new Error(
        `cannot synthesize the CDK app (${INFRA_SYNTH}): ${(res.stderr || res.error?.message || '').trim()}; ` +
          'pass --template, --cdk-out or --no-cloud',
      );
    const template = templateFrom({ cdkOut: outdir }) as CfnTemplate;
    process.stderr.write(
      `synthesized the CDK app: ${Object.keys(template.Resources).length} resources in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function registerDiagrams(program: Command): void {
  const cmd = program
    .command('diagrams')
    .description(
      'write PlantUML diagrams generated from this build: components, one quarter as a sequence, the data model ' +
        '(lake tables, fleet messages, counters), and — from the CDK app — the AWS architecture',
    )
    .option('--out <dir>', 'folder for the .puml files (and images with --render)')
    .option(
      '--template <file>',
      'a synthesized CloudFormation template (JSON) instead of synthesizing the app',
    )
    .option('--cdk-out <dir>', 'a cdk.out folder holding one *.template.json (pnpm synth -o)')
    .option('-c, --context <key=value...>', 'CDK context for the synthesis, e.g. callthemes:maxAzs=2')
    .option('--no-cloud', 'skip the AWS diagrams (no synthesis)')
    .option('--render', 'also render each diagram through the installed plantuml')
    .addOption(
      new Option('--image <format>', 'image format with --render (default svg)').choices(['svg', 'png']),
    );
  withExample(cmd, 'callthemes diagrams --out docs/diagrams --render');
  cmd.action(async (opts) => {
    const out = stringSetting('out', opts.out);
    if (!out) throw new UsageError('missing --out <dir>');
    if (opts.cloud === false)
      refuseGiven(opts, ['template', 'cdkOut', 'context'], 'mean nothing with --no-cloud');
    refuseSynthContext(opts);
    if (!opts.render) refuseGiven(opts, ['image'], 'only apply with --render');
    const context = keyValuesFrom(opts.context, 'context');
    const template = opts.cloud === false ? undefined : (templateFrom(opts) ?? synthesizeApp(context));
    const commands = (cmd.parent?.commands ?? []).map((c) => ({
      name: c.name(),
      description: c.description(),
    }));
    const diagrams = generateDiagrams({ commands, template });
    const files = writeSources(out, diagrams);
    for (const f of files) process.stdout.write(`${f}\n`);
    if (!template) process.stderr.write('--no-cloud: the AWS architecture diagram was skipped\n');
    if (opts.render) {
      const format = opts.image === 'png' ? 'png' : 'svg';
      for (const r of render(files, format)) process.stdout.write(`${r.image} (${r.bytes} bytes)\n`);
    }
  });
}
