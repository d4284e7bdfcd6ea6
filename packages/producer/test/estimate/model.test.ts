/** The estimate's formulas on hand-computed cases (the arithmetic is written out next to each expectation). */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import {
  amdahlSpeedup,
  type BatchPlan,
  batchFanOut,
  type GpuService,
  gpuServingSeconds,
  hostedApiPath,
  type Orchestration,
  type PriorSystem,
  sequentialApiPath,
  sweep,
  vllmPath,
  type Workload,
} from '../../src/estimate/model.js';

const close = (actual: number, expected: number, tol = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} ≠ ${expected}`);

const seedWorkload: Workload = {
  firms: 5000,
  quarters: 1,
  cpuSecondsPerFirm: 0,
  sentencesPerFirm: 0,
  embedTokensPerSentence: 0,
  llmRequestsPerFirm: 0,
  promptTokensPerRequest: 0,
  completionTokensPerRequest: 0,
  themesSecondsPerQuarter: 0,
  sentimentSecondsPerQuarter: 0,
};
const seedPrior: PriorSystem = {
  secondsPerFirm: 15,
  requestsPerFirm: 32,
  promptTokensPerRequest: 71,
  completionTokensPerRequest: 250,
  machinePerHour: 0.25,
  llmInputPerMillion: 0.2,
  llmOutputPerMillion: 0.5,
  llmRequestsPerSecond: 500 / 60,
};

test("the seed's own numbers: 15 s/firm sequential × 5,000 firms ≈ 20.8 h", () => {
  const e = sequentialApiPath(seedWorkload, seedPrior);
  // 5,000 × 15 s = 75,000 s = 20.833 h; the 500 req/min limit needs 160,000 / (500/60) = 19,200 s, less.
  close(e.quarter.wallSeconds, 75_000);
  assert.equal((e.quarter.wallSeconds / 3600).toFixed(1), '20.8');
  close(e.quarter.parallel.find((t) => t.name === 'API rate limit')!.seconds, 19_200);
  assert.match(e.bottleneck, /^sequential firm loop/);
  // machine 20.833 h × $0.25 = $5.2083; tokens 160,000 × (71 × $0.2 + 250 × $0.5) / 1M = $2.272 + $20 = $22.272.
  close(e.quarter.costs.find((c) => c.item === 'machine')!.usd, (75_000 * 0.25) / 3600);
  close(e.quarter.costs.find((c) => c.item === 'LLM API tokens')!.usd, 22.272);
  close(e.quarter.costUsd, 27.480_333_333_333_33);
  // Eight quarters in a row: 8 × 20.833 h = 166.7 h.
  const eight = sequentialApiPath({ ...seedWorkload, quarters: 8 }, seedPrior);
  close(eight.total.wallSeconds, 600_000);
  close(eight.total.costUsd, 8 * 27.480_333_333_333_33);
});

test('a tighter API limit than the loop becomes the bottleneck', () => {
  // 160,000 requests at 100 req/min = 96,000 s > 75,000 s of firm loop.
  const e = sequentialApiPath(seedWorkload, { ...seedPrior, llmRequestsPerSecond: 100 / 60 });
  close(e.quarter.wallSeconds, 96_000);
  assert.match(e.bottleneck, /^API rate limit/);
});

const plan: BatchPlan = {
  batchSize: 50,
  concurrency: 32,
  workersPerJob: 4,
  jobStartSeconds: 60,
  cpuPerHour: 0.1,
  minimumBilledSeconds: 60,
  serialPerHour: 0.2,
};

test('Batch fan-out: jobs, waves, wall and billed seconds', () => {
  // 5,010 firms / 50 = 101 jobs; a full job = 60 + 50 × 2 / 4 = 85 s; ⌈101/32⌉ = 4 waves → 340 s.
  // Billed: 100 full jobs × 85 s + the last job (10 firms: 60 + 10 × 2 / 4 = 65 s) = 8,565 s.
  const f = batchFanOut(5010, 2, plan);
  assert.deepEqual(f, { jobs: 101, waves: 4, jobSeconds: 85, wallSeconds: 340, billedSeconds: 8565 });
  // Fewer firms than workers: 3 firms on 3 of 4 workers take 2 s; a 12 s job is billed the 60 s minimum.
  const small = batchFanOut(3, 2, { ...plan, jobStartSeconds: 10 });
  assert.deepEqual(small, { jobs: 1, waves: 1, jobSeconds: 12, wallSeconds: 12, billedSeconds: 60 });
  assert.deepEqual(batchFanOut(0, 2, plan), {
    jobs: 0,
    waves: 0,
    jobSeconds: 0,
    wallSeconds: 0,
    billedSeconds: 0,
  });
});

const w: Workload = {
  firms: 1000,
  quarters: 2,
  cpuSecondsPerFirm: 1,
  sentencesPerFirm: 100,
  embedTokensPerSentence: 20,
  llmRequestsPerFirm: 10,
  promptTokensPerRequest: 500,
  completionTokensPerRequest: 50,
  themesSecondsPerQuarter: 120,
  sentimentSecondsPerQuarter: 60,
};
const gpu: GpuService = {
  gpus: 2,
  perHourPerGpu: 0.5,
  llmRequestsPerSecond: 5,
  llmTokensPerSecond: 2000,
  embedTokensPerSecond: 1000,
  coldStartSeconds: 300,
};
const orch: Orchestration = { perTransition: 0.000025, transitionsPerJob: 4, transitionsPerQuarter: 12 };
const smallPlan: BatchPlan = { ...plan, batchSize: 100, concurrency: 5 };

test('GPU serving: embeddings plus the slower of the request and token limits', () => {
  // Embeddings: 1,000 × 100 × 20 = 2M tokens / (1,000 tok/s × 2 GPUs) = 1,000 s.
  // Names: 10,000 requests / (5 × 2) = 1,000 s, but 10,000 × 550 = 5.5M tokens / (2,000 × 2) = 1,375 s.
  assert.deepEqual(gpuServingSeconds(w, gpu), { embed: 1000, llm: 1375 });
});

test('self-hosted vLLM path: wall, bottleneck and cost items', () => {
  const e = vllmPath(w, smallPlan, gpu, orch);
  // Jobs: 10 of 60 + 100 × 1 / 4 = 85 s, 2 waves = 170 s; GPUs busy 2,375 s; serial 300 + 120 + 60 = 480 s.
  close(e.quarter.wallSeconds, 2855);
  assert.equal(e.jobs, 10);
  assert.match(e.bottleneck, /^GPU serving on 2 GPU\(s\): 83% of the wall time$/);
  const cost = Object.fromEntries(e.quarter.costs.map((c) => [c.item, c.usd]));
  close(cost['Batch CPU jobs'], (850 * 0.1) / 3600);
  close(cost.GPUs, (2 * 2855 * 0.5) / 3600);
  // themes billed 60 + 120 = 180 s, sentiment 60 + 60 = 120 s, at $0.2/h.
  close(cost['themes + sentiment jobs'], (300 * 0.2) / 3600);
  // (10 jobs × 4 + 12) transitions × $0.000025.
  close(cost['Step Functions'], 52 * 0.000025);
  close(e.total.costUsd, 2 * e.quarter.costUsd);
  close(e.total.wallSeconds, 2 * 2855);
  close(e.serialFraction, 480 / 2855);
});

test('hosted API path: rate limits and token prices', () => {
  const e = hostedApiPath(
    w,
    smallPlan,
    {
      llmInputPerMillion: 0.1,
      llmOutputPerMillion: 0.2,
      llmRequestsPerSecond: 50,
      embedPerMillion: 0.01,
      embedRequestsPerSecond: 10,
      embedTextsPerRequest: 50,
    },
    orch,
  );
  // LLM: 10,000 / 50 = 200 s; embeddings: 100,000 sentences / 50 per request / 10 req/s = 200 s; jobs 170 s.
  close(e.quarter.wallSeconds, 180 + 200);
  const cost = Object.fromEntries(e.quarter.costs.map((c) => [c.item, c.usd]));
  // 5M prompt × $0.1/M + 0.5M completion × $0.2/M = $0.60; 2M embedding tokens × $0.01/M = $0.02.
  close(cost['LLM API tokens'], 0.6);
  close(cost['embedding API tokens'], 0.02);
});

test("Amdahl's law", () => {
  close(amdahlSpeedup(0, 8), 8);
  close(amdahlSpeedup(0.1, 10), 1 / 0.19);
  close(amdahlSpeedup(1, 64), 1);
});

test('sweeps: more concurrency never slows a quarter down, and stays under the Amdahl ideal', () => {
  const inputs = {
    workload: { ...w, cpuSecondsPerFirm: 20 },
    plan: smallPlan,
    orchestration: orch,
    gpu,
    prior: seedPrior,
    api: {
      llmInputPerMillion: 0.1,
      llmOutputPerMillion: 0.2,
      llmRequestsPerSecond: 50,
      embedPerMillion: 0.01,
      embedRequestsPerSecond: 10,
      embedTextsPerRequest: 50,
    },
  };
  const points = sweep('hosted-api', inputs, 'concurrency', [1, 2, 4, 8, 16]);
  assert.equal(points[0].speedup, 1);
  for (let k = 1; k < points.length; k++) {
    assert.ok(points[k].wallSeconds <= points[k - 1].wallSeconds);
    assert.ok(points[k].speedup <= (points[k].amdahl ?? 0) + 1e-9);
  }
  // At concurrency 1: 10 jobs × (60 + 100 × 20 / 4 = 560 s) = 5,600 s of jobs, above the 200 s API limit.
  close(points[0].wallSeconds, 180 + 5600);
  // At 16 (> 10 jobs): one wave of 560 s.
  close(points[4].wallSeconds, 180 + 560);
  assert.match(points[4].bottleneck, /^Batch CPU jobs/);
  // More GPUs shorten the vLLM path until the CPU jobs or the serial stages dominate.
  const g = sweep('vllm', inputs, 'gpus', [1, 2, 4]);
  close(g[0].wallSeconds, 480 + 4750);
  close(g[2].wallSeconds, 480 + Math.max(2375 / 2, 2 * 560));
});
