/**
 * The synthesized template's endpoint may scale to at least the size the estimate recommends for a 5,000-firm
 * quarter under an hour within $100: infra's synth program runs as a process (as `callthemes diagrams` runs it)
 * and its template is read, never infra's code.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@callthemes/common/testing/paths';
import { afterAll, test } from 'vitest';
import { DIAGRAM_CONTEXT, INFRA_SYNTH } from '../../src/cli/commands/diagrams.js';
import { DEPLOYMENT_DEFAULTS } from '../../src/cli/commands/estimate.js';
import { resolveInputs } from '../../src/estimate/inputs.js';
import { loadPriceFile } from '../../src/estimate/prices.js';
import { sizeFleet } from '../../src/estimate/sizing.js';

const dir = tempDir();
afterAll(() => dir.cleanup());

test('the template’s endpoint may scale to the recommended instance count', { timeout: 120_000 }, () => {
  const { inputs } = resolveInputs(loadPriceFile(), {
    firms: 5000,
    quarters: 8,
    batchSize: DEPLOYMENT_DEFAULTS.batchSize,
    concurrency: DEPLOYMENT_DEFAULTS.concurrency,
    gpus: DEPLOYMENT_DEFAULTS.gpus,
    gpuInstance: DEPLOYMENT_DEFAULTS.gpuInstance,
    taskVcpus: DEPLOYMENT_DEFAULTS.taskVcpus,
    taskMemoryGb: DEPLOYMENT_DEFAULTS.taskMemoryGb,
    themeVcpus: DEPLOYMENT_DEFAULTS.themeVcpus,
    themeMemoryGb: DEPLOYMENT_DEFAULTS.themeMemoryGb,
    pricing: 'spot',
    llmApi: 'llama-3.1-8b-deepinfra',
    embedApi: 'qwen3-embedding-8b-deepinfra',
    concurrencyPerInstance: DEPLOYMENT_DEFAULTS.concurrencyPerInstance,
    inFlightPerTask: DEPLOYMENT_DEFAULTS.inFlightPerTask,
    overrides: {},
  });
  const rec = sizeFleet(inputs, { wallSeconds: 3600, budgetUsd: 100 }).recommended;
  assert.ok(rec, 'a size meets one hour within $100');

  const out = join(dir.path, 'cdk.out');
  const args = [INFRA_SYNTH, '-o', out, '--no-nag'];
  for (const [k, v] of Object.entries(DIAGRAM_CONTEXT)) args.push('-c', `${k}=${v}`);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const file = readdirSync(out).find((f) => f.endsWith('.template.json'));
  assert.ok(file, 'a synthesized template');
  const template = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const targets = Object.values(template.Resources).filter(
    (x) =>
      x.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' &&
      x.Properties?.ServiceNamespace === 'sagemaker',
  );
  assert.equal(targets.length, 1);
  const max = Number(targets[0].Properties?.MaxCapacity);
  assert.ok(
    max >= rec.instances,
    `the endpoint may scale to ${max}, the estimate recommends ${rec.instances}`,
  );
  // The firm service may run the tasks the recommendation needs to keep those instances busy.
  const ecsMax = Object.values(template.Resources)
    .filter(
      (x) =>
        x.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' && x.Properties?.ServiceNamespace === 'ecs',
    )
    .map((x) => Number(x.Properties?.MaxCapacity));
  assert.ok(Math.max(...ecsMax) >= rec.tasks, `firm tasks ${ecsMax} < ${rec.tasks}`);
});
