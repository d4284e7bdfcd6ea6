/** The shipped price file: every number carries a source and a date; a bad override is refused by name. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@callthemes/common/testing/paths';
import { afterAll, test } from 'vitest';
import { type EstimateOptions, resolveInputs } from '../../src/estimate/inputs.js';
import { estimatePath } from '../../src/estimate/model.js';
import { DEFAULT_PRICE_FILE, loadPriceFile, sourcedEntries } from '../../src/estimate/prices.js';
import { sizeFleet } from '../../src/estimate/sizing.js';

const dir = tempDir();
afterAll(() => dir.cleanup());

/** Every number in a JSON value with its path. */
function numbers(v: unknown, path = ''): string[] {
  if (typeof v === 'number') return [path];
  if (!v || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, c]) => numbers(c, path ? `${path}.${k}` : k));
}

test('every number in the shipped price file is the value of a sourced, dated entry', () => {
  const raw = JSON.parse(readFileSync(DEFAULT_PRICE_FILE, 'utf8'));
  const p = loadPriceFile();
  const sourced = sourcedEntries(p).map((e) => `${e.path}.value`);
  assert.deepEqual(numbers(raw).sort(), sourced.sort());
  assert.ok(sourced.length >= 60, `only ${sourced.length} sourced numbers`);
  for (const { path, item } of sourcedEntries(p)) {
    assert.match(item.date, /^20\d\d-\d\d/, path);
    assert.ok(item.source.length > 10, `${path}: source too short`);
  }
});

const options: EstimateOptions = {
  firms: 5000,
  quarters: 1,
  batchSize: 50,
  concurrency: 32,
  gpus: 2,
  gpuInstance: 'ml.g6.xlarge',
  taskVcpus: 1,
  taskMemoryGb: 4,
  themeVcpus: 2,
  themeMemoryGb: 8,
  pricing: 'spot',
  llmApi: 'llama-3.1-8b-deepinfra',
  embedApi: 'qwen3-embedding-8b-deepinfra',
  overrides: {},
};

test('the shipped prices reproduce the cost-anchor notes’ worked numbers', () => {
  // Notes §6c: DeepInfra Llama-3.1-8B names a 5,000-firm quarter of 25 calls a firm (100M in, 5M out) for $2.15.
  const notes = resolveInputs(loadPriceFile(), {
    ...options,
    overrides: { llmRequestsPerFirm: 25, promptTokensPerRequest: 800, completionTokensPerRequest: 40 },
  });
  const llmCost = (i: typeof notes.inputs) =>
    estimatePath('hosted-api', i).quarter.costs.find((c) => c.item === 'LLM API tokens')!.usd;
  assert.equal(llmCost(notes.inputs).toFixed(2), '2.15');
  // The project's namer sends one request a firm (1,537 prompt + 564.3 completion tokens of a full call):
  // 5,000 × (1,537 × $0.02 + 564.3 × $0.03) / 1M = $0.238345.
  const { inputs, provenance } = resolveInputs(loadPriceFile(), options);
  assert.equal(inputs.workload.llmRequestsPerFirm, 1);
  assert.ok(Math.abs(llmCost(inputs) - 0.238345) < 1e-9);
  // Notes §2: Qwen3-Embedding-8B on an L4, 75M tokens ≈ 9 GPU-hours (FLOP estimate at 30% utilisation).
  assert.equal((75e6 / inputs.gpu.embedTokensPerSecond / 3600).toFixed(1), '9.1');
  // DeepInfra's 200 requests in flight at 2 s each = 100 req/s.
  assert.equal(inputs.api.llmRequestsPerSecond, 100);
  // The prior system's firm loop alone: 15 s × 5,000 firms = 20.8 h (its API, not the loop, sets the pace).
  const seq = estimatePath('sequential-api', inputs);
  const loop = seq.quarter.parallel.find((t) => t.name === 'sequential firm loop')!.seconds;
  assert.equal((loop / 3600).toFixed(1), '20.8');
  // Every resolved input says where it came from.
  for (const p of provenance) assert.ok(p.from.length > 0, p.input);
  assert.ok(provenance.some((p) => p.input === 'ml.g6.xlarge.onDemandPerHour' && p.basis === 'published'));
  // Fargate Spot task-hour: (1 vCPU × $0.04048 + 4 GB × $0.004445) × 0.35 = $0.020391.
  assert.ok(Math.abs(inputs.plan.cpuPerHour - (0.04048 + 4 * 0.004445) * 0.35) < 1e-12);
  // Note §1: scale-out from zero, 525 s for Qwen3-8B on ml.g6.2xlarge.
  assert.equal(inputs.gpu.coldStartSeconds, 525);
});

test('flags win over the price file; on-demand Fargate when asked; the endpoint is always on demand', () => {
  const { inputs, provenance } = resolveInputs(loadPriceFile(), {
    ...options,
    pricing: 'on-demand',
    gpuInstance: 'ml.g6e.xlarge',
    overrides: { cpuSecondsPerFirm: 3.5 },
  });
  assert.equal(inputs.workload.cpuSecondsPerFirm, 3.5);
  assert.equal(provenance.find((p) => p.input === 'cpuSecondsPerFirm')?.from, 'flag');
  assert.equal(inputs.gpu.perHourPerGpu, 2.6054);
  assert.ok(Math.abs(inputs.plan.cpuPerHour - (0.04048 + 4 * 0.004445)) < 1e-12);
  // The theme task: 2 vCPU, 8 GB on demand.
  assert.ok(Math.abs(inputs.plan.serialPerHour - (2 * 0.04048 + 8 * 0.004445)) < 1e-12);
  assert.equal(inputs.gpu.embedTokensPerSecond, 9100); // L40S, Qwen3-Embedding-8B in BF16 (derived)
  // The FP8 chat model on the L40S as prefill + decode rates (derived from TensorRT-LLM's L40S rows × 0.75).
  assert.equal(inputs.gpu.llmPrefillTokensPerSecond, 16000);
  assert.equal(inputs.gpu.llmDecodeTokensPerSecond, 4000);
});

test('the prior-system row reproduces its user’s quarter (48 h, ~$80 of LLM API) from the sourced totals', () => {
  const { inputs, provenance } = resolveInputs(loadPriceFile(), options);
  const seq = estimatePath('sequential-api', inputs);
  const hours = seq.quarter.wallSeconds / 3600;
  const llm = seq.quarter.costs.find((c) => c.item === 'LLM API tokens')!.usd;
  // Done-when bounds: within 10% of 48 h, LLM API within 15% of $80.
  assert.ok(Math.abs(hours - 48) <= 4.8, `${hours} h`);
  assert.ok(Math.abs(llm - 80) <= 12, `$${llm}`);
  // 12,000 req/h × 48 h = 576,000 requests = 115.2 a firm; the API's granted throughput sets the pace.
  assert.ok(Math.abs(inputs.prior.requestsPerFirm - 115.2) < 1e-9);
  assert.match(seq.bottleneck, /^API rate limit/);
  // The machine is shown beside the bill: g4dn.2xlarge spot $0.25/h × 48 h = $12.
  assert.ok(Math.abs(seq.quarter.costs.find((c) => c.item === 'machine')!.usd - 12) < 1e-6);
  for (const k of ['prior.requestsPerFirm', 'prior.completionTokensPerRequest', 'prior.apiRequestsPerSecond'])
    assert.equal(provenance.find((p) => p.input === k)?.basis, 'derived', k);
});

test('unknown instance types and APIs are refused with the known names', () => {
  assert.throws(
    () => resolveInputs(loadPriceFile(), { ...options, gpuInstance: 'p9.huge' }),
    /unknown SageMaker instance type "p9.huge".*ml.g6e.xlarge/,
  );
  assert.throws(
    () => resolveInputs(loadPriceFile(), { ...options, gpuInstance: 'g6.xlarge' }),
    /unknown SageMaker instance type "g6.xlarge"/,
  );
  assert.throws(
    () => resolveInputs(loadPriceFile(), { ...options, llmApi: 'nope' }),
    /unknown LLM API "nope"/,
  );
});

test('a price file with a number lacking its source is refused, naming the file and the field', () => {
  const raw = JSON.parse(readFileSync(DEFAULT_PRICE_FILE, 'utf8'));
  delete raw.instances['g6.xlarge'].spotPerHour.source;
  const path = join(dir.path, 'prices-no-source.json');
  writeFileSync(path, JSON.stringify(raw));
  assert.throws(
    () => loadPriceFile(path),
    (err: Error) => {
      assert.ok(err.message.includes(path));
      assert.match(err.message, /instances\.g6\.xlarge\.spotPerHour\.source/);
      return true;
    },
  );
  const bad = join(dir.path, 'not-json.json');
  writeFileSync(bad, '{ nope');
  assert.throws(() => loadPriceFile(bad), new RegExp(`price file ${bad}: `));
});

test('the estimate’s defaults are the deployment’s (common/config: the firm service and the endpoint)', async () => {
  const { DEPLOYMENT_DEFAULTS } = await import('../../src/cli/commands/estimate.js');
  const { DEFAULT_CONFIG } = await import('@callthemes/common/config');
  assert.equal(DEPLOYMENT_DEFAULTS.concurrency, DEFAULT_CONFIG.firmWorkerMaxTasks);
  assert.equal(DEPLOYMENT_DEFAULTS.gpus, DEFAULT_CONFIG.inferenceMaxInstances);
  assert.equal(DEPLOYMENT_DEFAULTS.gpuInstance, 'ml.g6e.xlarge');
  assert.equal(DEPLOYMENT_DEFAULTS.taskMemoryGb * 1024, DEFAULT_CONFIG.firmWorkerMemoryMiB);
  const prices = loadPriceFile();
  assert.equal(prices.sagemakerInstances[DEPLOYMENT_DEFAULTS.gpuInstance]?.gpu, 'L40S');
});

test('the deployed endpoint maximum is what brings a 5,000-firm quarter under an hour within $100', async () => {
  const { DEPLOYMENT_DEFAULTS } = await import('../../src/cli/commands/estimate.js');
  const { DEFAULT_CONFIG } = await import('@callthemes/common/config');
  const { inputs } = resolveInputs(loadPriceFile(), {
    ...options,
    gpuInstance: DEPLOYMENT_DEFAULTS.gpuInstance,
    gpus: DEPLOYMENT_DEFAULTS.gpus,
    concurrency: DEPLOYMENT_DEFAULTS.concurrency,
    concurrencyPerInstance: DEPLOYMENT_DEFAULTS.concurrencyPerInstance,
    inFlightPerTask: DEPLOYMENT_DEFAULTS.inFlightPerTask,
  });
  const sizing = sizeFleet(inputs, { wallSeconds: 3600, budgetUsd: 100 });
  assert.ok(sizing.recommended, 'some size meets the target');
  assert.equal(DEFAULT_CONFIG.inferenceMaxInstances, sizing.recommended.instances);
  assert.ok(DEFAULT_CONFIG.firmWorkerMaxTasks >= sizing.recommended.tasks);
  // The default run (the deployed sizes) fits the budget and the hour.
  const fleet = estimatePath('fleet', inputs);
  assert.ok(fleet.quarter.costUsd <= 100, `$${fleet.quarter.costUsd}`);
  assert.ok(fleet.quarter.wallSeconds <= 3600, `${fleet.quarter.wallSeconds} s`);
});
