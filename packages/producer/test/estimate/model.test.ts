/** The estimate's formulas on hand-computed cases (the arithmetic is written out next to each expectation). */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import {
  amdahlSpeedup,
  type FleetPlan,
  fleetPath,
  type GpuService,
  gpuServingSeconds,
  hostedApiPath,
  inferenceRequests,
  type PriorSystem,
  partitionFanOut,
  type Requests,
  requestsCost,
  sequentialApiPath,
  sweep,
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

const plan: FleetPlan = {
  batchSize: 50,
  concurrency: 32,
  workersPerJob: 4,
  jobStartSeconds: 60,
  cpuPerHour: 0.1,
  minimumBilledSeconds: 60,
  serialPerHour: 0.2,
};

test('partition fan-out: messages, waves, wall and billed task seconds', () => {
  // 5,010 firms / 50 = 101 partitions; a full one = 50 × 2 s / 4 vCPUs = 25 s; ⌈101/32⌉ = 4 waves.
  // Wall: one task start (60 s) + 4 × 25 s = 160 s. Billed: 100 × 25 s + the last (10 firms: 5 s) + 32 task
  // starts × 60 s = 2,505 + 1,920 = 4,425 s.
  const f = partitionFanOut(5010, 2, plan);
  assert.deepEqual(f, { jobs: 101, waves: 4, jobSeconds: 25, wallSeconds: 160, billedSeconds: 4425 });
  // Fewer firms than vCPUs: 3 firms on 3 of 4 take 2 s; 10 s start + 2 s = 12 s is billed the 60 s minimum.
  const small = partitionFanOut(3, 2, { ...plan, jobStartSeconds: 10 });
  assert.deepEqual(small, { jobs: 1, waves: 1, jobSeconds: 2, wallSeconds: 12, billedSeconds: 60 });
  assert.deepEqual(partitionFanOut(0, 2, plan), {
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
  scaleInSeconds: 600,
};
const requests: Requests = {
  sqsPerRequest: 0.4e-6,
  dynamoPerWrite: 0.625e-6,
  dynamoPerRead: 0.125e-6,
  s3PerPut: 5e-6,
  s3PerGet: 0.4e-6,
  snsPerPublish: 0.5e-6,
  sqsRequestsPerPartition: 8,
  dynamoWritesPerPartition: 3,
  dynamoReadsPerPartition: 1,
  s3PutsPerPartition: 12,
  textsPerInferenceRequest: 50,
};
const smallPlan: FleetPlan = { ...plan, batchSize: 100, concurrency: 5 };

test('GPU serving: embeddings plus the slower of the request and token limits', () => {
  // Embeddings: 1,000 × 100 × 20 = 2M tokens / (1,000 tok/s × 2 GPUs) = 1,000 s.
  // Names: 10,000 requests / (5 × 2) = 1,000 s, but 10,000 × 550 = 5.5M tokens / (2,000 × 2) = 1,375 s.
  assert.deepEqual(gpuServingSeconds(w, gpu), { embed: 1000, llm: 1375 });
});

test('requests: SQS, DynamoDB and S3 per partition, S3 and SNS per async inference request', () => {
  // 1,000 firms × (10 naming calls + 2 × ⌈100 sentences / 50⌉ embedding and label chunks) = 14,000 requests.
  assert.equal(inferenceRequests(w, requests), 14_000);
  // 10 partitions: SQS (80 + 3 theme-message requests) × $0.4/M; DynamoDB (30 + 4) writes × $0.625/M and
  // 10 reads × $0.125/M; S3 120 PUTs × $0.005/1k.
  const lake = 83 * 0.4e-6 + 34 * 0.625e-6 + 10 * 0.125e-6 + 120 * 5e-6;
  close(requestsCost(w, smallPlan, requests, false), lake);
  // Async: each request 2 PUTs + 1 GET + 1 SNS publish = $10.9e-6 → 14,000 × = $0.1526.
  close(requestsCost(w, smallPlan, requests, true), lake + 14_000 * 10.9e-6);
});

test('fleet path: wall, bottleneck and cost items', () => {
  const e = fleetPath(w, smallPlan, gpu, requests);
  // 10 partitions on 5 tasks: 60 s start + 2 waves × (100 × 1 s / 4) = 110 s; endpoint busy 2,375 s;
  // serial: cold start 300 + themes 120 + scores 60 = 480 s → 2,855 s.
  close(e.quarter.wallSeconds, 2855);
  assert.equal(e.jobs, 10);
  assert.match(e.bottleneck, /^SageMaker endpoint on 2 instance\(s\): 83% of the wall time$/);
  const cost = Object.fromEntries(e.quarter.costs.map((c) => [c.item, c.usd]));
  // Tasks billed 10 × 25 s + 5 starts × 60 s = 550 s at $0.1/h.
  close(cost['Fargate firm workers'], (550 * 0.1) / 3600);
  // 2 instances × (2,855 s + 600 s idle before scale-in) × $0.5/h.
  close(cost['SageMaker instances'], (2 * 3455 * 0.5) / 3600);
  // One theme task: 60 s start + 180 s at $0.2/h.
  close(cost['theme worker'], (240 * 0.2) / 3600);
  close(cost['SQS, DynamoDB, S3, SNS requests'], requestsCost(w, smallPlan, requests, true));
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
    requests,
  );
  // LLM: 10,000 / 50 = 200 s; embeddings: 100,000 sentences / 50 per request / 10 req/s = 200 s; tasks 110 s.
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
    requests,
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
  // At 1 task: 60 s start + 10 partitions × (100 × 20 / 4 = 500 s) = 5,060 s, above the 200 s API limit.
  close(points[0].wallSeconds, 180 + 5060);
  // At 16 (> 10 partitions): one wave of 500 s after the start.
  close(points[4].wallSeconds, 180 + 560);
  assert.match(points[4].bottleneck, /^firm workers/);
  // More instances shorten the fleet path until the firm workers or the serial stages dominate.
  const g = sweep('fleet', inputs, 'gpus', [1, 2, 4]);
  close(g[0].wallSeconds, 480 + 4750);
  // 4 instances: serving 1,187.5 s against the tasks' 60 + 2 × 500 = 1,060 s.
  close(g[2].wallSeconds, 480 + 1187.5);
});
