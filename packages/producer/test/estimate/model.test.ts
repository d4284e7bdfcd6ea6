/** The estimate's formulas on hand-computed cases (the arithmetic is written out next to each expectation). */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { measuredWorkload } from '../../src/estimate/measured-inputs.js';
import {
  amdahlSpeedup,
  busyInstances,
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
import { calibratePrior } from '../../src/estimate/prior-calibration.js';
import { sizeFleet, tasksFor } from '../../src/estimate/sizing.js';

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

test('a sequential loop at 15 s/firm × 5,000 firms ≈ 20.8 h when the API keeps up', () => {
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
/** A hosted API's prices and rate limits, for the sizing tests. */
const api = {
  llmInputPerMillion: 0.1,
  llmOutputPerMillion: 0.2,
  llmRequestsPerSecond: 50,
  embedPerMillion: 0.01,
  embedRequestsPerSecond: 10,
  embedTextsPerRequest: 50,
};
const smallPlan: FleetPlan = { ...plan, batchSize: 100, concurrency: 5 };

test('GPU serving: embeddings plus the slower of the request and token limits', () => {
  // Embeddings: 1,000 × 100 × 20 = 2M tokens / (1,000 tok/s × 2 GPUs) = 1,000 s.
  // Names: 10,000 requests / (5 × 2) = 1,000 s, but 10,000 × 550 = 5.5M tokens / (2,000 × 2) = 1,375 s.
  assert.deepEqual(gpuServingSeconds(w, gpu), { embed: 1000, llm: 1375 });
});

test('GPU serving as prefill + decode, and the host as the embedding limit', () => {
  // Names: 10,000 requests × (500 / 5,000 + 50 / 500) = 10,000 × 0.2 s = 2,000 GPU-s on 2 instances = 1,000 s.
  const twoRates = { ...gpu, llmPrefillTokensPerSecond: 5000, llmDecodeTokensPerSecond: 500 };
  assert.deepEqual(gpuServingSeconds(w, twoRates), { embed: 1000, llm: 1000 });
  // Host: 100,000 sentences / (40 texts/s × 2) = 1,250 s > the GPU's 1,000 s.
  assert.deepEqual(gpuServingSeconds(w, { ...twoRates, embedHostTextsPerSecond: 40 }), {
    embed: 1250,
    llm: 1000,
  });
  // 1.5 instances busy: 2M tokens / (1,000 × 1.5) = 1,333.3 s.
  close(gpuServingSeconds(w, gpu, 1.5).embed, 2e6 / 1500);
});

test('the tasks keep only as many instances busy as their requests in flight fill', () => {
  const g = { ...gpu, gpus: 4, concurrencyPerInstance: 16 };
  // 5 tasks × 8 in flight = 40 invocations = 2.5 instances of 16.
  close(busyInstances({ ...smallPlan, inFlightPerTask: 8 }, g, 10), 2.5);
  // 3 partitions only: 3 tasks × 8 = 24 → 1.5 instances.
  close(busyInstances({ ...smallPlan, inFlightPerTask: 8 }, g, 3), 1.5);
  // Enough tasks: all 4; no caps known: all 4.
  assert.equal(busyInstances({ ...smallPlan, concurrency: 10, inFlightPerTask: 8 }, g, 10), 4);
  assert.equal(busyInstances(smallPlan, g, 10), 4);
});

test('the prior system calibrated on a small measured quarter (hand-computed)', () => {
  // 10 firms, 2 h, 600 req/h, 200,000 tok/h, $0.15 at $0.2/$0.5 per million:
  // requests 600 × 2 = 1,200 (120 a firm); tokens a request 200,000 / 600 = 333.33;
  // $ a request 0.15 / 1,200 = 125e-6 → completion (125 − 333.33 × 0.2) / 0.3 = 194.44, prompt 138.89.
  const c = calibratePrior({
    firms: 10,
    wallHours: 2,
    requestsPerHour: 600,
    tokensPerHour: 200_000,
    llmUsd: 0.15,
    inputPerMillion: 0.2,
    outputPerMillion: 0.5,
  });
  assert.equal(c.requests, 1200);
  assert.equal(c.requestsPerFirm, 120);
  close(c.tokensPerRequest, 1000 / 3);
  close(c.completionTokensPerRequest, 175 / 0.9);
  close(c.promptTokensPerRequest, 1000 / 3 - 175 / 0.9);
  close(c.requestsPerSecond, 1 / 6);
  assert.equal(c.warning, null);
  // The path reproduces the quarter: loop 10 × 15 s = 150 s, the API 1,200 / (1/6 req/s) = 7,200 s = 2 h;
  // LLM 1,200 × (138.89 × 0.2 + 194.44 × 0.5) / 1M = $0.15; machine 2 h × $0.25 = $0.50.
  const e = sequentialApiPath(
    { ...seedWorkload, firms: 10 },
    {
      ...seedPrior,
      requestsPerFirm: c.requestsPerFirm,
      promptTokensPerRequest: c.promptTokensPerRequest,
      completionTokensPerRequest: c.completionTokensPerRequest,
      llmRequestsPerSecond: c.requestsPerSecond,
    },
  );
  close(e.quarter.wallSeconds, 7200);
  assert.match(e.bottleneck, /^API rate limit/);
  close(e.quarter.costs.find((x) => x.item === 'LLM API tokens')!.usd, 0.15);
  close(e.quarter.costs.find((x) => x.item === 'machine')!.usd, 0.5);
  // A bill no split can explain is clamped and said: $1 from 1,200 requests of 333 tokens needs > 333 output.
  const bad = calibratePrior({
    firms: 10,
    wallHours: 2,
    requestsPerHour: 600,
    tokensPerHour: 200_000,
    llmUsd: 1,
    inputPerMillion: 0.2,
    outputPerMillion: 0.5,
  });
  close(bad.completionTokensPerRequest, 1000 / 3);
  assert.match(bad.warning ?? '', /cannot come from 1,200 requests/);
});

test('sizing: the fewest instances that meet the target within the budget, with tasks to keep them busy', () => {
  const inputs = {
    workload: w,
    plan: { ...smallPlan, concurrency: 1, inFlightPerTask: 8 },
    requests,
    gpu: { ...gpu, gpus: 1, concurrencyPerInstance: 16, coldStartSeconds: 0 },
    prior: seedPrior,
    api,
  };
  // GPU work 2,000 s embed + 2,750 s names = 4,750 GPU-s; serial 180 s (themes, scores). On n instances the
  // endpoint takes 4,750 / n s, with 2n tasks (n × 16 / 8); 10 partitions of 100 firms at 25 s each.
  // n = 1: 4,930 s; n = 2: 2,555 s; n = 3: 1,763.3 s; n = 4: 1,367.5 s.
  const sizing = sizeFleet(inputs, { wallSeconds: 2000, budgetUsd: 10 }, [1, 2, 3, 4]);
  assert.deepEqual(
    sizing.points.map((p) => [p.instances, p.tasks]),
    [
      [1, 2],
      [2, 4],
      [3, 6],
      [4, 8],
    ],
  );
  close(sizing.points[2].wallSeconds, 180 + 4750 / 3);
  assert.equal(sizing.recommended?.instances, 3);
  // n = 3: 3 × (1,763.3 + 600 s scale-in) × $0.5/h = $0.98 of instances, within $10; a $0.9 budget rules it out.
  assert.equal(sizeFleet(inputs, { wallSeconds: 2000, budgetUsd: 0.9 }, [1, 2, 3, 4]).recommended, null);
  // More tasks than partitions never helps: with 1 instance the 2 tasks it needs are enough.
  assert.equal(tasksFor(inputs, 1), 2);
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
  // Tasks billed 10 × 25 s + 5 starts × 60 s = 550 s, plus the 5 tasks holding their partitions through the
  // 300 s cold start (1,500 s), at $0.1/h.
  close(cost['Fargate firm workers'], (2050 * 0.1) / 3600);
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
  const e = hostedApiPath(w, smallPlan, api, requests);
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
    api,
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

test('measured workload entries from a run’s shape (hand-computed)', () => {
  // 4 firms, 1,400 sentences of 120 characters, 64 topics, 0.1 CPU-s a firm:
  // 350 sentences a firm; 120 / 4 = 30 tokens a sentence; 16 topics × 420/12.2 = 550.8 completion tokens;
  // topic CPU = 0.1 − 0.0078 ingest = 0.0922.
  const e = measuredWorkload(
    {
      firms: 4,
      sentences: 1400,
      topics: 64,
      sentenceChars: 120,
      firmCpuSecondsPerFirm: 0.1,
      themesSecondsPerFirm: null,
    },
    {
      command: 'scripts/estimate-inputs.ts',
      runId: 'run-x',
      date: '2026-12-07',
      ingestCpuSecondsPerFirm: 0.0078,
    },
  );
  assert.equal(e.sentencesPerFirm.value, 350);
  assert.equal(e.sentencesPerFirm.basis, 'measured');
  assert.equal(e.embedTokensPerSentence.value, 30);
  assert.equal(e.embedTokensPerSentence.basis, 'derived');
  assert.equal(e.completionTokensPerRequest.value, Number(((16 * 420) / 12.2).toPrecision(4)));
  assert.equal(e.promptTokensPerRequest.value, 1537);
  assert.equal(e.topicCpuSecondsPerFirm.value, 0.0922);
  for (const v of Object.values(e)) assert.match(v.source, /run-x|BENCHMARKS/);
  assert.throws(
    () =>
      measuredWorkload(
        {
          ...{
            firms: 0,
            sentences: 0,
            topics: 0,
            sentenceChars: 0,
            firmCpuSecondsPerFirm: 0,
            themesSecondsPerFirm: null,
          },
        },
        { command: 'c', runId: 'run-y', date: '2026-12-07', ingestCpuSecondsPerFirm: 0 },
      ),
    /run-y has no firms/,
  );
});
