/**
 * The cost and time model: pure functions of resolved inputs (no I/O, no defaults). Three paths:
 * - `sequential-api`: the prior system — one machine, one firm after another, a provider API for names;
 * - `vllm`: this project on AWS — Batch CPU jobs fan out over firm batches while N GPUs serve the LLM and the
 *   embedding model through vLLM; themes and sentiment run after the fan-out;
 * - `hosted-api`: the same Batch fan-out, with names and embeddings from a hosted 8B API.
 * Quarters run one after another (the state machine loops over them), so totals are quarter × count.
 */

export interface Workload {
  firms: number;
  quarters: number;
  /** Single-core CPU seconds of the firm stage per firm, without the work a GPU service or API does. */
  cpuSecondsPerFirm: number;
  sentencesPerFirm: number;
  embedTokensPerSentence: number;
  llmRequestsPerFirm: number;
  promptTokensPerRequest: number;
  completionTokensPerRequest: number;
  /** One themes job per quarter, after every batch. */
  themesSecondsPerQuarter: number;
  /** One sentiment job per quarter. */
  sentimentSecondsPerQuarter: number;
}

export interface BatchPlan {
  batchSize: number;
  /** Batch jobs running at once (the Map state's MaxConcurrency). */
  concurrency: number;
  /** Firms processed in parallel inside one job (its worker pool: the instance's vCPUs). */
  workersPerJob: number;
  /** Start-up of one job: placement, image pull, imports, model load. */
  jobStartSeconds: number;
  cpuPerHour: number;
  minimumBilledSeconds: number;
  /** Price of the instance that runs the per-quarter themes and sentiment jobs. */
  serialPerHour: number;
}

export interface Orchestration {
  perTransition: number;
  transitionsPerJob: number;
  transitionsPerQuarter: number;
}

export interface GpuService {
  gpus: number;
  perHourPerGpu: number;
  llmRequestsPerSecond: number;
  llmTokensPerSecond: number;
  embedTokensPerSecond: number;
  /** Scale-up until the first replica is healthy: once per quarter (the services scale to zero between). */
  coldStartSeconds: number;
}

export interface ApiService {
  llmInputPerMillion: number;
  llmOutputPerMillion: number;
  llmRequestsPerSecond: number;
  embedPerMillion: number;
  embedRequestsPerSecond: number;
  embedTextsPerRequest: number;
}

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
  plan: BatchPlan;
  orchestration: Orchestration;
  gpu: GpuService;
  api: ApiService;
  prior: PriorSystem;
}

export type PathKind = 'sequential-api' | 'vllm' | 'hosted-api';

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
  /** Length of one full job: start-up plus its firms over the job's workers. */
  jobSeconds: number;
  wallSeconds: number;
  billedSeconds: number;
}

/**
 * Batch jobs over firm batches, `concurrency` at a time. A wave lasts as long as a full job (the last, partial
 * job is billed for its own length but the wave is not shortened: a conservative round-up).
 */
export function batchFanOut(firms: number, cpuSecondsPerFirm: number, plan: BatchPlan): FanOut {
  if (firms <= 0) return { jobs: 0, waves: 0, jobSeconds: 0, wallSeconds: 0, billedSeconds: 0 };
  const jobs = Math.ceil(firms / plan.batchSize);
  const jobLength = (n: number) =>
    plan.jobStartSeconds + (n * cpuSecondsPerFirm) / Math.min(plan.workersPerJob, n);
  const full = Math.min(plan.batchSize, firms);
  const jobSeconds = jobLength(full);
  const waves = Math.ceil(jobs / plan.concurrency);
  const lastFirms = firms - (jobs - 1) * plan.batchSize;
  const billedSeconds =
    (jobs - 1) * Math.max(jobSeconds, plan.minimumBilledSeconds) +
    Math.max(jobLength(lastFirms), plan.minimumBilledSeconds);
  return { jobs, waves, jobSeconds, wallSeconds: waves * jobSeconds, billedSeconds };
}

/** GPU-seconds of serving on N GPUs: embeddings, then names (the slower of the request and token limits). */
export function gpuServingSeconds(w: Workload, g: GpuService): { embed: number; llm: number } {
  const v = quarterVolume(w);
  const embed = v.embedTokens / (g.embedTokensPerSecond * g.gpus);
  const llm = Math.max(
    v.requests / (g.llmRequestsPerSecond * g.gpus),
    (v.promptTokens + v.completionTokens) / (g.llmTokensPerSecond * g.gpus),
  );
  return { embed, llm };
}

function serialJobsCost(w: Workload, plan: BatchPlan): number {
  const billed = (s: number) => (s > 0 ? Math.max(plan.jobStartSeconds + s, plan.minimumBilledSeconds) : 0);
  return (
    ((billed(w.themesSecondsPerQuarter) + billed(w.sentimentSecondsPerQuarter)) * plan.serialPerHour) / HOUR
  );
}

function orchestrationCost(jobs: number, o: Orchestration): number {
  return (jobs * o.transitionsPerJob + o.transitionsPerQuarter) * o.perTransition;
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

/** Batch fan-out with N self-hosted GPUs serving the LLM and the embedding model through vLLM. */
export function vllmPath(w: Workload, plan: BatchPlan, g: GpuService, o: Orchestration): PathEstimate {
  const fan = batchFanOut(w.firms, w.cpuSecondsPerFirm, plan);
  const serving = gpuServingSeconds(w, g);
  const serial: Term[] = [
    { name: 'GPU cold start', seconds: g.coldStartSeconds },
    { name: 'themes', seconds: w.themesSecondsPerQuarter },
    { name: 'sentiment', seconds: w.sentimentSecondsPerQuarter },
  ];
  const parallel: Term[] = [
    { name: 'Batch CPU jobs', seconds: fan.wallSeconds },
    { name: `GPU serving on ${g.gpus} GPU(s)`, seconds: serving.embed + serving.llm },
  ];
  const wall = serial.reduce((a, t) => a + t.seconds, 0) + Math.max(...parallel.map((t) => t.seconds));
  return finish(
    'vllm',
    `self-hosted vLLM on ${g.gpus} GPU(s)`,
    w,
    serial,
    parallel,
    [
      { item: 'Batch CPU jobs', usd: (fan.billedSeconds * plan.cpuPerHour) / HOUR },
      // The services stay up from scale-up to the quarter's end; idle GPU time is paid.
      { item: 'GPUs', usd: (g.gpus * wall * g.perHourPerGpu) / HOUR },
      { item: 'themes + sentiment jobs', usd: serialJobsCost(w, plan) },
      { item: 'Step Functions', usd: orchestrationCost(fan.jobs, o) },
    ],
    fan.jobs,
  );
}

/** Batch fan-out calling a hosted API for names and embeddings. */
export function hostedApiPath(w: Workload, plan: BatchPlan, a: ApiService, o: Orchestration): PathEstimate {
  const fan = batchFanOut(w.firms, w.cpuSecondsPerFirm, plan);
  const v = quarterVolume(w);
  const llmRate = v.requests / a.llmRequestsPerSecond;
  const embedRate = Math.ceil(v.sentences / a.embedTextsPerRequest) / a.embedRequestsPerSecond;
  return finish(
    'hosted-api',
    'hosted 8B API',
    w,
    [
      { name: 'themes', seconds: w.themesSecondsPerQuarter },
      { name: 'sentiment', seconds: w.sentimentSecondsPerQuarter },
    ],
    [
      { name: 'Batch CPU jobs', seconds: fan.wallSeconds },
      { name: 'LLM API rate limit', seconds: llmRate },
      { name: 'embedding API rate limit', seconds: embedRate },
    ],
    [
      { item: 'Batch CPU jobs', usd: (fan.billedSeconds * plan.cpuPerHour) / HOUR },
      {
        item: 'LLM API tokens',
        usd: (v.promptTokens * a.llmInputPerMillion + v.completionTokens * a.llmOutputPerMillion) / MILLION,
      },
      { item: 'embedding API tokens', usd: (v.embedTokens * a.embedPerMillion) / MILLION },
      { item: 'themes + sentiment jobs', usd: serialJobsCost(w, plan) },
      { item: 'Step Functions', usd: orchestrationCost(fan.jobs, o) },
    ],
    fan.jobs,
  );
}

export function estimatePath(kind: PathKind, i: EstimateInputs): PathEstimate {
  switch (kind) {
    case 'sequential-api':
      return sequentialApiPath(i.workload, i.prior);
    case 'vllm':
      return vllmPath(i.workload, i.plan, i.gpu, i.orchestration);
    case 'hosted-api':
      return hostedApiPath(i.workload, i.plan, i.api, i.orchestration);
  }
}

export const PATHS: PathKind[] = ['sequential-api', 'vllm', 'hosted-api'];

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
