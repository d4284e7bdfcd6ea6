/**
 * Resolves the model's inputs from the price file, a run's metrics and flags (flag > run > price file), and
 * records where each number came from so the output can show it next to the result.
 */
import type { RunMetrics } from '../run/run-metrics.js';
import type { EstimateInputs, Workload } from './model.js';
import type { PriceFile, Sourced } from './prices.js';
import { calibratePrior } from './prior-calibration.js';

export interface EstimateOptions {
  firms: number;
  quarters: number;
  /** Firms per partition message. */
  batchSize: number;
  /** Most firm-worker tasks. */
  concurrency: number;
  /** Endpoint instances. */
  gpus: number;
  /** SageMaker instance type of the endpoint (sagemakerInstances). */
  gpuInstance: string;
  /** Fargate size of a firm-worker task and of the theme-worker task. */
  taskVcpus: number;
  taskMemoryGb: number;
  themeVcpus: number;
  themeMemoryGb: number;
  /** Fargate Spot or on-demand FARGATE for the workers (the endpoint is always on demand). */
  pricing: 'spot' | 'on-demand';
  llmApi: string;
  embedApi: string;
  /** Invocations one endpoint instance serves at once (the deployment's MaxConcurrentInvocationsPerInstance). */
  concurrencyPerInstance?: number;
  /** Async inference requests a firm-worker task keeps in flight (the worker's in-flight cap). */
  inFlightPerTask?: number;
  /** Per-number overrides from flags. */
  overrides: Partial<Record<OverridableInput, number>>;
}

export const OVERRIDABLE = [
  'cpuSecondsPerFirm',
  'topicCpuSecondsPerFirm',
  'sentencesPerFirm',
  'embedTokensPerSentence',
  'llmRequestsPerFirm',
  'promptTokensPerRequest',
  'completionTokensPerRequest',
  'taskStartSeconds',
  'endpointColdStartSeconds',
  'priorSecondsPerFirm',
] as const;
export type OverridableInput = (typeof OVERRIDABLE)[number];

export interface Provenance {
  input: string;
  value: number;
  unit: string;
  from: string;
  basis: Sourced['basis'] | 'flag' | 'run';
}

export interface ResolvedInputs {
  inputs: EstimateInputs;
  provenance: Provenance[];
  warnings: string[];
}

export class InputError extends Error {}

function pick<T>(table: Record<string, T>, key: string, what: string): T {
  const v = table[key];
  if (!v)
    throw new InputError(`unknown ${what} "${key}": the price file has ${Object.keys(table).join(', ')}`);
  return v;
}

export function resolveInputs(prices: PriceFile, opts: EstimateOptions, run?: RunMetrics): ResolvedInputs {
  const provenance: Provenance[] = [];
  const warnings: string[] = [];
  const fromFile = (input: string, s: Sourced): number => {
    provenance.push({
      input,
      value: s.value,
      unit: s.unit,
      from: `${s.source} (${s.date})`,
      basis: s.basis,
    });
    return s.value;
  };
  const fromRun = (input: string, value: number, unit: string, how: string): number => {
    provenance.push({ input, value, unit, from: `run ${run?.runId}: ${how}`, basis: 'run' });
    return value;
  };
  const fromFlag = (input: string, value: number, unit: string): number => {
    provenance.push({ input, value, unit, from: 'flag', basis: 'flag' });
    return value;
  };
  /** flag, then run (when it measured the number), then price file. */
  const resolve = (
    input: OverridableInput | string,
    file: Sourced,
    measured?: { value: number; how: string },
  ): number => {
    const flag = opts.overrides[input as OverridableInput];
    if (flag !== undefined) return fromFlag(input, flag, file.unit);
    if (measured && Number.isFinite(measured.value))
      return fromRun(input, measured.value, file.unit, measured.how);
    return fromFile(input, file);
  };

  const wl = prices.workload;
  const runFirms = run?.counts.firms ?? 0;
  const measured = (ok: boolean, value: number, how: string) => (run && ok ? { value, how } : undefined);
  if (run) {
    if (run.status !== 'ok')
      warnings.push(`run ${run.runId} has status "${run.status}": its numbers may be partial`);
    if (runFirms === 0) warnings.push(`run ${run.runId} processed no firms: nothing measured is used`);
    if (runFirms > 0 && run.counts.topics === 0)
      warnings.push(
        `run ${run.runId} computed no topics: its per-firm seconds cover ingest only (reading, splitting, ` +
          'filters, writing); the topic part comes from the price file (--topic-cpu-seconds-per-firm to change it)',
      );
    if (runFirms > 0 && run.llm.requests === 0)
      warnings.push(`run ${run.runId} made no LLM calls: naming volume comes from the price file`);
  }
  const stageSeconds = (re: RegExp): number | undefined => {
    const s = run?.stages.filter((x) => re.test(x.stage));
    return s && s.length > 0 ? s.reduce((a, x) => a + x.wallSeconds, 0) : undefined;
  };
  const scale = (seconds: number | undefined) =>
    seconds !== undefined && runFirms > 0 ? (seconds * opts.firms) / runFirms : Number.NaN;
  const llmCalls = run?.llm.requests ?? 0;

  const workload: Workload = {
    firms: opts.firms,
    quarters: opts.quarters,
    cpuSecondsPerFirm: Number.NaN,
    sentencesPerFirm: resolve(
      'sentencesPerFirm',
      wl.sentencesPerFirm,
      measured(runFirms > 0, (run?.counts.sentences ?? 0) / runFirms, 'counts.sentences ÷ counts.firms'),
    ),
    embedTokensPerSentence: resolve(
      'embedTokensPerSentence',
      wl.embedTokensPerSentence,
      measured(
        (run?.embeddings.tokens ?? 0) > 0 && (run?.counts.sentences ?? 0) > 0,
        (run?.embeddings.tokens ?? 0) / (run?.counts.sentences ?? 1),
        'embeddings.tokens ÷ counts.sentences',
      ),
    ),
    llmRequestsPerFirm: resolve(
      'llmRequestsPerFirm',
      wl.llmRequestsPerFirm,
      measured(llmCalls > 0, run?.llm.perFirm.requests ?? 0, 'llm.perFirm.requests'),
    ),
    promptTokensPerRequest: resolve(
      'promptTokensPerRequest',
      wl.promptTokensPerRequest,
      measured(llmCalls > 0, (run?.llm.promptTokens ?? 0) / llmCalls, 'llm.promptTokens ÷ llm.requests'),
    ),
    completionTokensPerRequest: resolve(
      'completionTokensPerRequest',
      wl.completionTokensPerRequest,
      measured(
        llmCalls > 0,
        (run?.llm.completionTokens ?? 0) / llmCalls,
        'llm.completionTokens ÷ llm.requests',
      ),
    ),
    themesSecondsPerQuarter: Number.NaN,
    sentimentSecondsPerQuarter: Number.NaN,
  };
  // Firm-stage CPU per firm: a run that computed topics measured all of it; an ingest-only run measured the
  // ingest part, and the topic part comes from the price file (or its flag).
  const measuredAll = runFirms > 0 && (run?.counts.topics ?? 0) > 0 && (run?.firmCpuSeconds.mean ?? 0) > 0;
  if (opts.overrides.cpuSecondsPerFirm !== undefined || measuredAll) {
    workload.cpuSecondsPerFirm = resolve(
      'cpuSecondsPerFirm',
      { ...wl.topicCpuSecondsPerFirm, unit: 'CPU-s/firm' },
      measured(measuredAll, run?.firmCpuSeconds.mean ?? 0, 'firmCpuSeconds.mean (ingest and topics)'),
    );
  } else {
    const ingest = resolve(
      'ingestCpuSecondsPerFirm',
      wl.ingestCpuSecondsPerFirm,
      measured(
        runFirms > 0 && (run?.firmCpuSeconds.mean ?? 0) > 0,
        run?.firmCpuSeconds.mean ?? 0,
        'firmCpuSeconds.mean (ingest only)',
      ),
    );
    const topics = resolve('topicCpuSecondsPerFirm', wl.topicCpuSecondsPerFirm);
    workload.cpuSecondsPerFirm = ingest + topics;
  }
  const perFirms = (s: Sourced): Sourced => ({
    ...s,
    value: (s.value * opts.firms) / 1000,
    unit: 's per quarter',
    note: `${s.value} ${s.unit} × ${opts.firms} firms`,
  });
  // A quarter-wide stage's seconds: the run's stages named like it, scaled to the firms; else the price file's.
  const quarterStage = (input: string, stage: string, named: RegExp, per1000Firms: Sourced) => {
    const seconds = stageSeconds(named);
    return resolve(
      input,
      perFirms(per1000Firms),
      measured(
        seconds !== undefined && runFirms > 0,
        scale(seconds),
        `${stage} stage wall seconds × ${opts.firms}/${runFirms} firms`,
      ),
    );
  };
  workload.themesSecondsPerQuarter = quarterStage(
    'themesSecondsPerQuarter',
    'themes',
    /theme/i,
    wl.themesSecondsPer1000Firms,
  );
  workload.sentimentSecondsPerQuarter = quarterStage(
    'sentimentSecondsPerQuarter',
    'sentiment',
    /sentiment/i,
    wl.sentimentSecondsPer1000Firms,
  );

  const price = (inst: { spotPerHour: Sourced; onDemandPerHour: Sourced }) =>
    opts.pricing === 'spot' ? inst.spotPerHour : inst.onDemandPerHour;
  const endpointInst = pick(prices.sagemakerInstances, opts.gpuInstance, 'SageMaker instance type');
  const serving = pick(prices.gpuServing, endpointInst.gpu, 'GPU type');
  // The price file keys a GPU's serving rates as `<gpu>.<rate>`.
  const servingRate = (rate: keyof typeof serving): number => {
    const s = serving[rate];
    if (!s) throw new Error(`${endpointInst.gpu}.${rate}: not in the price file`);
    return fromFile(`${endpointInst.gpu}.${rate}`, s);
  };
  const fg = prices.fargate;
  const vcpuHour = fromFile('fargate.vcpuPerHour', fg.vcpuPerHour);
  const gbHour = fromFile('fargate.gbPerHour', fg.gbPerHour);
  const factor = opts.pricing === 'spot' ? fromFile('fargate.spotFactor', fg.spotFactor) : 1;
  const taskHour = (vcpus: number, gb: number) => (vcpus * vcpuHour + gb * gbHour) * factor;
  const rq = prices.requests;
  const llmApi = pick(prices.llmApis, opts.llmApi, 'LLM API');
  const embedApi = pick(prices.embeddingApis, opts.embedApi, 'embedding API');
  const prior = prices.priorSystem;
  const priorApi = pick(prices.llmApis, prior.llmApi, 'LLM API');
  const priorMachine = pick(prices.instances, prior.instance, 'instance type');
  const calibration = calibratePrior({
    firms: fromFile('prior.measuredFirms', prior.measuredFirms),
    wallHours: fromFile('prior.measuredWallHours', prior.measuredWallHours),
    requestsPerHour: fromFile('prior.apiRequestsPerHour', prior.apiRequestsPerHour),
    tokensPerHour: fromFile('prior.apiTokensPerHour', prior.apiTokensPerHour),
    llmUsd: fromFile('prior.llmUsd', prior.llmUsd),
    inputPerMillion: fromFile(`prior.${prior.llmApi}.inputPerMillion`, priorApi.inputPerMillion),
    outputPerMillion: fromFile(`prior.${prior.llmApi}.outputPerMillion`, priorApi.outputPerMillion),
  });
  if (calibration.warning) warnings.push(`prior-system calibration: ${calibration.warning}`);
  const derived = (input: string, value: number, unit: string, how: string): number => {
    provenance.push({ input, value, unit, from: how, basis: 'derived' });
    return value;
  };
  const calibrated = {
    requestsPerFirm: derived(
      'prior.requestsPerFirm',
      calibration.requestsPerFirm,
      'requests/firm',
      `apiRequestsPerHour × measuredWallHours ÷ measuredFirms = ${calibration.requests.toLocaleString('en-US')} requests ÷ ${prior.measuredFirms.value.toLocaleString('en-US')}`,
    ),
    promptTokensPerRequest: derived(
      'prior.promptTokensPerRequest',
      calibration.promptTokensPerRequest,
      'tokens',
      `apiTokensPerHour ÷ apiRequestsPerHour = ${calibration.tokensPerRequest.toFixed(1)} tokens a request, less the completion tokens`,
    ),
    completionTokensPerRequest: derived(
      'prior.completionTokensPerRequest',
      calibration.completionTokensPerRequest,
      'tokens',
      'the bill split at the two token prices: (llmUsd ÷ requests × 1e6 − tokens × input price) ÷ (output − input price); reasoning tokens billed as output',
    ),
    requestsPerSecond: derived(
      'prior.apiRequestsPerSecond',
      calibration.requestsPerSecond,
      'req/s',
      'apiRequestsPerHour ÷ 3,600: the throughput the API granted under full load (not its nominal cap)',
    ),
  };

  const twoRates = Boolean(serving.llmPrefillTokensPerSecond && serving.llmDecodeTokensPerSecond);
  const apiRate = (name: string, a: typeof llmApi): number => {
    if (a.requestsPerMinute) return fromFile(`${name}.requestsPerMinute`, a.requestsPerMinute) / 60;
    // A concurrency limit: requests in flight ÷ seconds per request (Little's law).
    const inFlight = fromFile(`${name}.concurrentRequests`, a.concurrentRequests!);
    return inFlight / fromFile(`${name}.secondsPerRequest`, a.secondsPerRequest!);
  };

  const inputs: EstimateInputs = {
    workload,
    plan: {
      batchSize: opts.batchSize,
      concurrency: opts.concurrency,
      workersPerJob: opts.taskVcpus,
      inFlightPerTask: opts.inFlightPerTask,
      jobStartSeconds: resolve('taskStartSeconds', fg.taskStartSeconds),
      cpuPerHour: taskHour(opts.taskVcpus, opts.taskMemoryGb),
      minimumBilledSeconds: fromFile('fargate.minimumBilledSeconds', fg.minimumBilledSeconds),
      serialPerHour: taskHour(opts.themeVcpus, opts.themeMemoryGb),
    },
    requests: {
      sqsPerRequest: fromFile('requests.sqsPerMillion', rq.sqsPerMillion) / 1e6,
      dynamoPerWrite: fromFile('requests.dynamoWritePerMillion', rq.dynamoWritePerMillion) / 1e6,
      dynamoPerRead: fromFile('requests.dynamoReadPerMillion', rq.dynamoReadPerMillion) / 1e6,
      s3PerPut: fromFile('requests.s3PutPer1000', rq.s3PutPer1000) / 1000,
      s3PerGet: fromFile('requests.s3GetPer1000', rq.s3GetPer1000) / 1000,
      snsPerPublish: fromFile('requests.snsPerMillion', rq.snsPerMillion) / 1e6,
      sqsRequestsPerPartition: fromFile('requests.sqsRequestsPerPartition', rq.sqsRequestsPerPartition),
      dynamoWritesPerPartition: fromFile('requests.dynamoWritesPerPartition', rq.dynamoWritesPerPartition),
      dynamoReadsPerPartition: fromFile('requests.dynamoReadsPerPartition', rq.dynamoReadsPerPartition),
      s3PutsPerPartition: fromFile('requests.s3PutsPerPartition', rq.s3PutsPerPartition),
      textsPerInferenceRequest: fromFile('requests.textsPerInferenceRequest', rq.textsPerInferenceRequest),
    },
    gpu: {
      gpus: opts.gpus,
      perHourPerGpu:
        fromFile(`${opts.gpuInstance}.onDemandPerHour`, endpointInst.onDemandPerHour) /
        endpointInst.gpus.value,
      // With prefill and decode rates the request and token limits are not used: listed only when they are.
      ...(twoRates
        ? {
            llmRequestsPerSecond: serving.llmRequestsPerSecond.value,
            llmTokensPerSecond: serving.llmTokensPerSecond.value,
          }
        : {
            llmRequestsPerSecond: servingRate('llmRequestsPerSecond'),
            llmTokensPerSecond: servingRate('llmTokensPerSecond'),
          }),
      ...(twoRates && serving.llmPrefillTokensPerSecond && serving.llmDecodeTokensPerSecond
        ? {
            llmPrefillTokensPerSecond: servingRate('llmPrefillTokensPerSecond'),
            llmDecodeTokensPerSecond: servingRate('llmDecodeTokensPerSecond'),
          }
        : {}),
      embedTokensPerSecond: servingRate('embedTokensPerSecond'),
      concurrencyPerInstance: opts.concurrencyPerInstance,
      coldStartSeconds: resolve('endpointColdStartSeconds', prices.overheads.endpointColdStartSeconds),
      scaleInSeconds: fromFile('endpointScaleInSeconds', prices.overheads.endpointScaleInSeconds),
    },
    api: {
      llmInputPerMillion: fromFile(`${opts.llmApi}.inputPerMillion`, llmApi.inputPerMillion),
      llmOutputPerMillion: fromFile(`${opts.llmApi}.outputPerMillion`, llmApi.outputPerMillion),
      llmRequestsPerSecond: apiRate(opts.llmApi, llmApi),
      embedPerMillion: fromFile(`${opts.embedApi}.perMillion`, embedApi.perMillion),
      embedRequestsPerSecond:
        fromFile(`${opts.embedApi}.concurrentRequests`, embedApi.concurrentRequests) /
        fromFile(`${opts.embedApi}.secondsPerRequest`, embedApi.secondsPerRequest),
      embedTextsPerRequest: fromFile(`${opts.embedApi}.textsPerRequest`, embedApi.textsPerRequest),
    },
    prior: {
      secondsPerFirm: resolve('priorSecondsPerFirm', prior.secondsPerFirm),
      requestsPerFirm: calibrated.requestsPerFirm,
      promptTokensPerRequest: calibrated.promptTokensPerRequest,
      completionTokensPerRequest: calibrated.completionTokensPerRequest,
      machinePerHour: fromFile(`prior.${prior.instance}.${opts.pricing}`, price(priorMachine)),
      llmInputPerMillion: priorApi.inputPerMillion.value,
      llmOutputPerMillion: priorApi.outputPerMillion.value,
      llmRequestsPerSecond: calibrated.requestsPerSecond,
    },
  };
  return { inputs, provenance, warnings };
}

/** The endpoint instance types a price file knows. */
export function gpuInstances(prices: PriceFile): string[] {
  return Object.keys(prices.sagemakerInstances);
}
