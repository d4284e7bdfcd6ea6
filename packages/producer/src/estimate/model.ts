/**
 * The cost and time model: pure functions of resolved inputs (no I/O, no defaults). Three paths:
 * - `sequential-api`: the prior system — one machine, one firm after another, a provider API for names;
 * - `fleet`: this project on AWS — the producer enqueues partitions on SQS, firm workers on Fargate Spot
 *   (scaled 0..N on the backlog) call a SageMaker async endpoint on N instances for embeddings, names and
 *   sentence labels; DynamoDB counters detect the quarter's end; the theme worker runs after it;
 * - `hosted-api`: the same fleet of workers, with names and embeddings from a hosted 8B API.
 * Quarters run one after another (the theme worker enqueues the next one), so totals are quarter × count.
 * Internal names: `batchSize` is the partition size, `concurrency` the firm service's most tasks, `gpus` the
 * endpoint's instances (one GPU each).
 */

export interface Workload {
  firms: number;
  quarters: number;
  /** Single-core CPU seconds of the firm worker per firm, without the work the endpoint or an API does. */
  cpuSecondsPerFirm: number;
  sentencesPerFirm: number;
  embedTokensPerSentence: number;
  llmRequestsPerFirm: number;
  promptTokensPerRequest: number;
  completionTokensPerRequest: number;
  /** The theme worker's themes per quarter, after every partition. */
  themesSecondsPerQuarter: number;
  /** The theme worker's sentiment score tables per quarter. */
  sentimentSecondsPerQuarter: number;
}

export interface FleetPlan {
  /** Firms per partition message. */
  batchSize: number;
  /** Firm-worker tasks running at once (the service's maximum). */
  concurrency: number;
  /** Firms processed in parallel inside one task (its vCPUs). */
  workersPerJob: number;
  /** Start-up of one task: Fargate placement, image pull, node start. Paid once per task, not per partition. */
  jobStartSeconds: number;
  /** Price of one firm-worker task-hour (vCPU-h + GB-h, spot or on demand). */
  cpuPerHour: number;
  minimumBilledSeconds: number;
  /** Price of one theme-worker task-hour. */
  serialPerHour: number;
  /**
   * Async inference requests one firm-worker task keeps in flight (the worker's in-flight cap). With
   * `concurrencyPerInstance` it says how many endpoint instances the tasks can keep busy; unset = no cap.
   */
  inFlightPerTask?: number;
}

/** Request prices of the queues, counters and buckets, and how many each partition and inference call makes. */
export interface Requests {
  sqsPerRequest: number;
  dynamoPerWrite: number;
  dynamoPerRead: number;
  s3PerPut: number;
  s3PerGet: number;
  snsPerPublish: number;
  sqsRequestsPerPartition: number;
  dynamoWritesPerPartition: number;
  dynamoReadsPerPartition: number;
  s3PutsPerPartition: number;
  /** Texts (sentences) per async embedding or classification request. */
  textsPerInferenceRequest: number;
}

export interface GpuService {
  /** Endpoint instances (one GPU each). */
  gpus: number;
  perHourPerGpu: number;
  llmRequestsPerSecond: number;
  llmTokensPerSecond: number;
  embedTokensPerSecond: number;
  /** Scale-out from zero until the first instance answers /ping: once per quarter, conservatively. */
  coldStartSeconds: number;
  /** Idle time billed before the endpoint scales back to zero (the scale-in cooldown). */
  scaleInSeconds: number;
  /**
   * Naming as two token rates (prefill of the prompt, decode of the completion, per GPU): a request costs
   * prompt ÷ prefill + completion ÷ decode GPU-seconds. When set they replace the request and token limits.
   */
  llmPrefillTokensPerSecond?: number;
  llmDecodeTokensPerSecond?: number;
  /** Texts per second one instance's host (tokenising, serialising vectors) can embed; unset = not a limit. */
  embedHostTextsPerSecond?: number;
  /** Invocations one instance serves at once (MaxConcurrentInvocationsPerInstance); unset = no cap. */
  concurrencyPerInstance?: number;
}

export interface ApiService {
  llmInputPerMillion: number;
  llmOutputPerMillion: number;
  llmRequestsPerSecond: number;
  embedPerMillion: number;
  embedRequestsPerSecond: number;
  embedTextsPerRequest: number;
}

/**
 * The prior system: a firm loop at a steady `secondsPerFirm` when the API keeps up, and the API serving its
 * requests at `llmRequestsPerSecond` (the throughput it granted under full load, not the account's nominal cap).
 */
export interface PriorSystem {
  secondsPerFirm: number;
  requestsPerFirm: number;
  promptTokensPerRequest: number;
  completionTokensPerRequest: number;
  machinePerHour: number;
  llmInputPerMillion: number;
  llmOutputPerMillion: number;
  llmRequestsPerSecond: number;
}

export interface EstimateInputs {
  workload: Workload;
  plan: FleetPlan;
  requests: Requests;
  gpu: GpuService;
  api: ApiService;
  prior: PriorSystem;
}

export type PathKind = 'sequential-api' | 'fleet' | 'hosted-api';

export interface Term {
  name: string;
  seconds: number;
}

export interface CostItem {
  item: string;
  usd: number;
}

export interface PathEstimate {
  path: PathKind;
  label: string;
  quarter: {
    wallSeconds: number;
    costUsd: number;
    /** Time terms: `serial` ones add up; `parallel` ones overlap and the largest sets the fan-out's length. */
    serial: Term[];
    parallel: Term[];
    costs: CostItem[];
  };
  total: { wallSeconds: number; costUsd: number };
  bottleneck: string;
  /** Partition messages per quarter. */
  jobs: number;
  /** Share of the quarter's wall time that no concurrency shortens. */
  serialFraction: number;
}

const HOUR = 3600;
const MILLION = 1e6;

/** Total requests and tokens of one quarter. */
export function quarterVolume(w: Workload): {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  embedTokens: number;
  sentences: number;
} {
  const requests = w.firms * w.llmRequestsPerFirm;
  return {
    requests,
    promptTokens: requests * w.promptTokensPerRequest,
    completionTokens: requests * w.completionTokensPerRequest,
    sentences: w.firms * w.sentencesPerFirm,
    embedTokens: w.firms * w.sentencesPerFirm * w.embedTokensPerSentence,
  };
}

/** Amdahl's law: the speed-up on n workers when a fraction s of the work cannot be parallelised. */
export function amdahlSpeedup(serialFraction: number, n: number): number {
  return 1 / (serialFraction + (1 - serialFraction) / n);
}

export interface FanOut {
  jobs: number;
  waves: number;
  /** Length of one full partition on one task: its firms over the task's vCPUs. */
  jobSeconds: number;
  wallSeconds: number;
  billedSeconds: number;
}

/**
 * Partitions over `concurrency` firm-worker tasks. Each task starts once and then takes partition after
 * partition from the queue; a wave lasts as long as a full partition (the last, partial one is billed for its
 * own length but the wave is not shortened: a conservative round-up).
 */
export function partitionFanOut(firms: number, cpuSecondsPerFirm: number, plan: FleetPlan): FanOut {
  if (firms <= 0) return { jobs: 0, waves: 0, jobSeconds: 0, wallSeconds: 0, billedSeconds: 0 };
  const jobs = Math.ceil(firms / plan.batchSize);
  const length = (n: number) => (n * cpuSecondsPerFirm) / Math.min(plan.workersPerJob, n);
  const jobSeconds = length(Math.min(plan.batchSize, firms));
  const tasks = Math.min(plan.concurrency, jobs);
  const waves = Math.ceil(jobs / plan.concurrency);
  const lastFirms = firms - (jobs - 1) * plan.batchSize;
  const work = (jobs - 1) * jobSeconds + length(lastFirms);
  const billedSeconds = work + tasks * Math.max(plan.jobStartSeconds, 0);
  return {
    jobs,
    waves,
    jobSeconds,
    wallSeconds: plan.jobStartSeconds + waves * jobSeconds,
    billedSeconds: Math.max(billedSeconds, tasks * plan.minimumBilledSeconds),
  };
}

/** Async inference requests of a quarter: one per naming call, embeddings and labels in chunks of texts. */
export function inferenceRequests(w: Workload, r: Requests): number {
  const chunks = Math.ceil(w.sentencesPerFirm / r.textsPerInferenceRequest);
  return w.firms * (w.llmRequestsPerFirm + 2 * chunks);
}

/** SQS, DynamoDB, S3 (and SNS for async inference) requests of a quarter, in dollars. */
export function requestsCost(w: Workload, plan: FleetPlan, r: Requests, asyncInference: boolean): number {
  const partitions = Math.ceil(w.firms / plan.batchSize);
  // One theme message per quarter and its handling (send, receive, delete) plus the counters' flags.
  let usd =
    (partitions * r.sqsRequestsPerPartition + 3) * r.sqsPerRequest +
    (partitions * r.dynamoWritesPerPartition + 4) * r.dynamoPerWrite +
    partitions * r.dynamoReadsPerPartition * r.dynamoPerRead +
    partitions * r.s3PutsPerPartition * r.s3PerPut;
  if (asyncInference) {
    // Each request: its JSON put to S3, its result read back; SageMaker's output put and its SNS notice.
    const n = inferenceRequests(w, r);
    usd += n * (2 * r.s3PerPut + r.s3PerGet + r.snsPerPublish);
  }
  return usd;
}

/**
 * Wall seconds of serving on N instances: embeddings (the GPU's token rate, or the host's text rate when that
 * is lower), then names (prefill + decode when those rates are known, else the slower of the request and token
 * limits). `instances` may be fractional: the share of the endpoint the firm workers keep busy.
 */
export function gpuServingSeconds(
  w: Workload,
  g: GpuService,
  instances = g.gpus,
): { embed: number; llm: number } {
  const v = quarterVolume(w);
  const embed = Math.max(
    v.embedTokens / (g.embedTokensPerSecond * instances),
    g.embedHostTextsPerSecond ? v.sentences / (g.embedHostTextsPerSecond * instances) : 0,
  );
  const llm =
    g.llmPrefillTokensPerSecond && g.llmDecodeTokensPerSecond
      ? (v.promptTokens / g.llmPrefillTokensPerSecond + v.completionTokens / g.llmDecodeTokensPerSecond) /
        instances
      : Math.max(
          v.requests / (g.llmRequestsPerSecond * instances),
          (v.promptTokens + v.completionTokens) / (g.llmTokensPerSecond * instances),
        );
  return { embed, llm };
}

/**
 * Instances the firm workers keep busy: all N, unless the tasks' requests in flight (tasks × per-task cap) are
 * fewer than the endpoint's concurrent invocations (N × per-instance cap).
 */
export function busyInstances(plan: FleetPlan, g: GpuService, jobs: number): number {
  if (!plan.inFlightPerTask || !g.concurrencyPerInstance) return g.gpus;
  const tasks = Math.min(plan.concurrency, jobs);
  return Math.min(g.gpus, (tasks * plan.inFlightPerTask) / g.concurrencyPerInstance);
}

/** The theme worker's one task per quarter: start-up, themes, score tables. */
function themeWorkerCost(w: Workload, plan: FleetPlan): number {
  const s = w.themesSecondsPerQuarter + w.sentimentSecondsPerQuarter;
  return s > 0
    ? (Math.max(plan.jobStartSeconds + s, plan.minimumBilledSeconds) * plan.serialPerHour) / HOUR
    : 0;
}

function finish(
  path: PathKind,
  label: string,
  w: Workload,
  serial: Term[],
  parallel: Term[],
  costs: CostItem[],
  jobs: number,
): PathEstimate {
  const serialSeconds = serial.reduce((a, t) => a + t.seconds, 0);
  const top = parallel.reduce((a, t) => (t.seconds > a.seconds ? t : a), { name: '', seconds: 0 });
  const wallSeconds = serialSeconds + top.seconds;
  const costUsd = costs.reduce((a, c) => a + c.usd, 0);
  const share = (x: number) => `${Math.round((x / wallSeconds) * 100)}% of the wall time`;
  const bottleneck =
    serialSeconds > top.seconds
      ? `serial stages (${serial.map((t) => t.name).join(', ')}): ${share(serialSeconds)}`
      : `${top.name}: ${share(top.seconds)}`;
  return {
    path,
    label,
    quarter: { wallSeconds, costUsd, serial, parallel, costs },
    total: { wallSeconds: wallSeconds * w.quarters, costUsd: costUsd * w.quarters },
    bottleneck,
    jobs,
    serialFraction: wallSeconds > 0 ? serialSeconds / wallSeconds : 0,
  };
}

/** The prior system: a single machine runs firm after firm; its names come from a rate-limited API. */
export function sequentialApiPath(w: Workload, p: PriorSystem): PathEstimate {
  const requests = w.firms * p.requestsPerFirm;
  const loop = w.firms * p.secondsPerFirm;
  const rate = requests / p.llmRequestsPerSecond;
  const wall = Math.max(loop, rate);
  const llmUsd =
    (requests * p.promptTokensPerRequest * p.llmInputPerMillion +
      requests * p.completionTokensPerRequest * p.llmOutputPerMillion) /
    MILLION;
  return finish(
    'sequential-api',
    'prior system: sequential loop + API',
    w,
    [],
    [
      { name: 'sequential firm loop', seconds: loop },
      { name: 'API rate limit', seconds: rate },
    ],
    [
      { item: 'machine', usd: (wall * p.machinePerHour) / HOUR },
      { item: 'LLM API tokens', usd: llmUsd },
    ],
    1,
  );
}

/** The SQS fleet: Fargate Spot firm workers and a SageMaker async endpoint on N instances. */
export function fleetPath(w: Workload, plan: FleetPlan, g: GpuService, r: Requests): PathEstimate {
  const fan = partitionFanOut(w.firms, w.cpuSecondsPerFirm, plan);
  const busy = busyInstances(plan, g, fan.jobs);
  const serving = gpuServingSeconds(w, g, busy);
  // While the endpoint scales from zero the first tasks keep their partitions (visibility extended, no
  // release and no new receive): the cold start costs their task-time, not SQS receives.
  const coldStartTaskSeconds = Math.min(plan.concurrency, fan.jobs) * g.coldStartSeconds;
  const serial: Term[] = [
    { name: 'endpoint cold start', seconds: g.coldStartSeconds },
    { name: 'theme worker (themes)', seconds: w.themesSecondsPerQuarter },
    { name: 'theme worker (scores)', seconds: w.sentimentSecondsPerQuarter },
  ];
  const parallel: Term[] = [
    { name: `firm workers (${plan.concurrency} Fargate Spot tasks)`, seconds: fan.wallSeconds },
    {
      name: `SageMaker endpoint on ${g.gpus} instance(s)${busy < g.gpus ? ` (${busy.toFixed(1)} kept busy by the tasks)` : ''}`,
      seconds: serving.embed + serving.llm,
    },
  ];
  const wall = serial.reduce((a, t) => a + t.seconds, 0) + Math.max(...parallel.map((t) => t.seconds));
  return finish(
    'fleet',
    `SQS fleet + SageMaker async on ${g.gpus} instance(s)`,
    w,
    serial,
    parallel,
    [
      {
        item: 'Fargate firm workers',
        usd: ((fan.billedSeconds + coldStartTaskSeconds) * plan.cpuPerHour) / HOUR,
      },
      // The instances run from scale-out to the quarter's end, plus the idle spell before scale-in.
      { item: 'SageMaker instances', usd: (g.gpus * (wall + g.scaleInSeconds) * g.perHourPerGpu) / HOUR },
      { item: 'theme worker', usd: themeWorkerCost(w, plan) },
      { item: 'SQS, DynamoDB, S3, SNS requests', usd: requestsCost(w, plan, r, true) },
    ],
    fan.jobs,
  );
}

/** The fleet's workers calling a hosted API for names and embeddings (no endpoint). */
export function hostedApiPath(w: Workload, plan: FleetPlan, a: ApiService, r: Requests): PathEstimate {
  const fan = partitionFanOut(w.firms, w.cpuSecondsPerFirm, plan);
  const v = quarterVolume(w);
  const llmRate = v.requests / a.llmRequestsPerSecond;
  const embedRate = Math.ceil(v.sentences / a.embedTextsPerRequest) / a.embedRequestsPerSecond;
  return finish(
    'hosted-api',
    'SQS fleet + hosted 8B API',
    w,
    [
      { name: 'theme worker (themes)', seconds: w.themesSecondsPerQuarter },
      { name: 'theme worker (scores)', seconds: w.sentimentSecondsPerQuarter },
    ],
    [
      { name: `firm workers (${plan.concurrency} Fargate Spot tasks)`, seconds: fan.wallSeconds },
      { name: 'LLM API rate limit', seconds: llmRate },
      { name: 'embedding API rate limit', seconds: embedRate },
    ],
    [
      { item: 'Fargate firm workers', usd: (fan.billedSeconds * plan.cpuPerHour) / HOUR },
      {
        item: 'LLM API tokens',
        usd: (v.promptTokens * a.llmInputPerMillion + v.completionTokens * a.llmOutputPerMillion) / MILLION,
      },
      { item: 'embedding API tokens', usd: (v.embedTokens * a.embedPerMillion) / MILLION },
      { item: 'theme worker', usd: themeWorkerCost(w, plan) },
      { item: 'SQS, DynamoDB, S3 requests', usd: requestsCost(w, plan, r, false) },
    ],
    fan.jobs,
  );
}

export function estimatePath(kind: PathKind, i: EstimateInputs): PathEstimate {
  switch (kind) {
    case 'sequential-api':
      return sequentialApiPath(i.workload, i.prior);
    case 'fleet':
      return fleetPath(i.workload, i.plan, i.gpu, i.requests);
    case 'hosted-api':
      return hostedApiPath(i.workload, i.plan, i.api, i.requests);
  }
}

export const PATHS: PathKind[] = ['sequential-api', 'fleet', 'hosted-api'];

export interface SweepPoint {
  value: number;
  wallSeconds: number;
  costUsd: number;
  /** Wall time at the sweep's first value ÷ wall time here. */
  speedup: number;
  /**
   * Amdahl's ideal from the first point's serial fraction: the speed-up if every non-serial term scaled with
   * the swept resource. The gap to `speedup` is what a shared resource (GPUs, an API's limit) holds back.
   */
  amdahl?: number;
  bottleneck: string;
}

/** One quarter of a path as concurrency or batch size varies, everything else fixed. */
export function sweep(
  kind: PathKind,
  i: EstimateInputs,
  axis: 'concurrency' | 'batchSize' | 'gpus',
  values: readonly number[],
): SweepPoint[] {
  const runs = values.map((value) => ({
    value,
    est: estimatePath(
      kind,
      axis === 'gpus'
        ? { ...i, gpu: { ...i.gpu, gpus: value } }
        : { ...i, plan: { ...i.plan, [axis]: value } },
    ),
  }));
  const base = runs[0]?.est;
  if (!base) return [];
  return runs.map(({ value, est }) => ({
    value,
    wallSeconds: est.quarter.wallSeconds,
    costUsd: est.quarter.costUsd,
    speedup: base.quarter.wallSeconds / est.quarter.wallSeconds,
    amdahl:
      axis === 'batchSize' ? undefined : amdahlSpeedup(base.serialFraction, value / (values[0] as number)),
    bottleneck: est.bottleneck,
  }));
}
