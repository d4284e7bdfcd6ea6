#!/usr/bin/env node
// `pnpm synth -o <dir> [-c key=value ...] [--no-nag]`: synthesizes the CDK app into <dir> offline (default
// cdk.out), cdk-nag's AwsSolutions checks on unless --no-nag, and prints the template's path and resource count.
import { parseArgs } from 'node:util';
import { loadApp } from './load-app.js';

const usage = 'usage: pnpm synth -o <dir> [-c callthemes:key=value ...] [--no-nag]';
let values;
try {
  ({ values } = parseArgs({
    options: {
      out: { type: 'string', short: 'o', default: 'cdk.out' },
      context: { type: 'string', short: 'c', multiple: true, default: [] },
      'no-nag': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  process.stderr.write(`error: ${err.message}\n${usage}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(
    `${usage}\nexample: pnpm synth -o cdk.out -c callthemes:firmWorkerMaxTasks=40 -c servingImageDir=infra/serving\n`,
  );
  process.exit(0);
}
const context = {};
for (const kv of values.context) {
  const eq = kv.indexOf('=');
  if (eq <= 0) {
    process.stderr.write(`error: -c ${kv}: expected key=value\n${usage}\n`);
    process.exit(2);
  }
  context[kv.slice(0, eq)] = kv.slice(eq + 1);
}
const t0 = performance.now();
const { buildApp } = await loadApp();
const { app, stack } = buildApp({ outdir: values.out, context, nag: !values['no-nag'] });
const art = app.synth().getStackByName(stack.stackName);
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(
  `${art.templateFullPath}: ${Object.keys(art.template.Resources).length} resources, synth ${seconds.toFixed(1)} s\n`,
);
