/** `callthemes diagrams`: PlantUML sources generated from this build, its settings and the CDK app's template. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { stringSetting } from '../../config/settings.js';
import { type CfnTemplate, loadTemplate } from '../../diagrams/cfn.js';
import { generateDiagrams, render, writeSources } from '../../diagrams/generate.js';
import { UsageError, withExample } from '../common.js';

/** `--template file.json`, or the only `*.template.json` in `--cdk-out <dir>`. */
function templateFrom(opts: { template?: string; cdkOut?: string }): CfnTemplate | undefined {
  let path = stringSetting('template', opts.template);
  const cdkOut = stringSetting('cdkOut', opts.cdkOut);
  if (!path && cdkOut) {
    if (!existsSync(cdkOut))
      throw new UsageError(`--cdk-out ${cdkOut}: no such folder (run cdk synth or callthemes cloud synth)`);
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

export function registerDiagrams(program: Command): void {
  const cmd = program
    .command('diagrams')
    .description(
      'write PlantUML diagrams generated from this build: components, one quarter as a sequence, the lake’s data ' +
        'model, and — from a synthesized CDK template — the AWS architecture and the Step Functions workflow',
    )
    .option('--out <dir>', 'folder for the .puml files (and images with --render)')
    .option('--template <file>', 'synthesized CloudFormation template (JSON) of the CDK app')
    .option('--cdk-out <dir>', 'cdk.out folder holding one *.template.json')
    .option('--render', 'also render each diagram through the installed plantuml')
    .addOption(
      new Option('--image <format>', 'image format with --render (default svg)').choices(['svg', 'png']),
    );
  withExample(cmd, 'callthemes diagrams --out docs/diagrams --cdk-out cdk.out --render');
  cmd.action(async (opts) => {
    const out = stringSetting('out', opts.out);
    if (!out) throw new UsageError('missing --out <dir>');
    const template = templateFrom(opts);
    const commands = (cmd.parent?.commands ?? []).map((c) => ({
      name: c.name(),
      description: c.description(),
    }));
    const diagrams = generateDiagrams({ commands, template });
    const files = writeSources(out, diagrams);
    for (const f of files) process.stdout.write(`${f}\n`);
    if (!template)
      process.stderr.write(
        'no CDK template given: the AWS architecture and workflow diagrams need --template or --cdk-out\n',
      );
    if (opts.render) {
      const format = opts.image === 'png' ? 'png' : 'svg';
      for (const r of render(files, format)) process.stdout.write(`${r.image} (${r.bytes} bytes)\n`);
    }
  });
}
