/**
 * `callthemes estimate`: wall time and dollars for firms × quarters on three paths (the prior sequential system,
 * the SQS fleet with a SageMaker async endpoint, the fleet with a hosted API), from a price file and a run.
 */
import { writeFileSync } from 'node:fs';
import {
  DEFAULT_CONFIG,
  numberSetting,
  parseQuarterRange,
  settingValue,
  stringSetting,
} from '@callthemes/common/config';
import { type Command, Option } from 'commander';
import { renderChart } from '../../estimate/chart.js';
import { readRunMetrics } from '../../estimate/from-run.js';
import {
  type EstimateOptions,
  InputError,
  OVERRIDABLE,
  type OverridableInput,
  resolveInputs,
} from '../../estimate/inputs.js';
import { DEFAULT_PRICE_FILE, loadPriceFile } from '../../estimate/prices.js';
import { buildReport, DEFAULT_SIZING_TARGET } from '../../estimate/report.js';
import { formatTable } from '../../estimate/table.js';
import { whatIfs } from '../../estimate/what-if.js';
import type { RunMetrics } from '../../run/run-metrics.js';
import { addLakeOption, intOption, lakeFrom, refuseGiven, UsageError, withExample } from '../common.js';

/**
 * The deployment's own defaults (common/config/deployment, which infra deploys): partitions of 50, the firm
 * service's most tasks and task size, the endpoint's first instance type and most instances.
 */
export const DEPLOYMENT_DEFAULTS = {
  batchSize: 50,
  concurrency: DEFAULT_CONFIG.firmWorkerMaxTasks,
  gpus: DEFAULT_CONFIG.inferenceMaxInstances,
  gpuInstance: DEFAULT_CONFIG.inferenceInstanceTypes[0],
  taskVcpus: DEFAULT_CONFIG.firmWorkerCpu,
  taskMemoryGb: DEFAULT_CONFIG.firmWorkerMemoryMiB / 1024,
  themeVcpus: DEFAULT_CONFIG.themeWorkerCpu,
  themeMemoryGb: DEFAULT_CONFIG.themeWorkerMemoryMiB / 1024,
  concurrencyPerInstance: DEFAULT_CONFIG.maxConcurrentInvocationsPerInstance,
  /** A firm worker's async requests in flight: the default of CALLTHEMES_INFERENCE_MAX_IN_FLIGHT (common/inference/create). */
  inFlightPerTask: 8,
};

/** Flag name of each overridable input. */
const OVERRIDE_FLAGS: Record<OverridableInput, { flag: string; help: string }> = {
  topicCpuSecondsPerFirm: {
    flag: '--topic-cpu-seconds-per-firm <s>',
    help: 'CPU seconds per firm of topic modelling, added to a run that only ingested',
  },
  cpuSecondsPerFirm: {
    flag: '--cpu-seconds-per-firm <s>',
    help: 'single-core CPU seconds of the firm stage per firm',
  },
  sentencesPerFirm: { flag: '--sentences-per-firm <n>', help: 'kept sentences per firm' },
  embedTokensPerSentence: { flag: '--embed-tokens-per-sentence <n>', help: 'embedding tokens per sentence' },
  llmRequestsPerFirm: { flag: '--llm-requests-per-firm <n>', help: 'LLM naming requests per firm' },
  promptTokensPerRequest: { flag: '--prompt-tokens <n>', help: 'prompt tokens per LLM request' },
  completionTokensPerRequest: { flag: '--completion-tokens <n>', help: 'completion tokens per LLM request' },
  taskStartSeconds: {
    flag: '--task-start-seconds <s>',
    help: 'start-up of one Fargate task (placement, image pull, node start)',
  },
  endpointColdStartSeconds: {
    flag: '--endpoint-cold-start-seconds <s>',
    help: 'SageMaker endpoint scale-out from zero until both models answer, per quarter',
  },
  priorSecondsPerFirm: {
    flag: '--prior-seconds-per-firm <s>',
    help: 'the prior sequential system’s seconds per firm',
  },
};

/** `--prompt-tokens <n>` → `promptTokens`, the key commander stores the value under. */
function optionKey(flag: string): string {
  return flag
    .split(' ')[0]
    .replace(/^--/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function positiveNumber(key: string, value: unknown): number | undefined {
  let n: number;
  try {
    n = numberSetting(key, value, Number.NaN);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (Number.isNaN(n)) return undefined;
  if (n < 0) throw new UsageError(`invalid ${key} "${value}": expected a number ≥ 0`);
  return n;
}

/** `--quarters 8` (a count) or a range such as `2021Q1..2022Q4`. */
export function quarterCount(value: unknown): number {
  if (value === undefined) return 1;
  const s = String(value).trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1)
      throw new UsageError(`invalid quarters "${s}": expected a count ≥ 1 or a range like 2021Q1..2022Q4`);
    return n;
  }
  try {
    return parseQuarterRange(s).length;
  } catch (err) {
    throw new UsageError(`invalid quarters "${s}": ${(err as Error).message}`);
  }
}

export function registerEstimate(program: Command): void {
  const cmd = program
    .command('estimate')
    .description(
      'estimate wall time and cost per quarter and in total on three paths: the prior sequential API system, ' +
        'the SQS fleet (Fargate Spot workers, SageMaker async endpoint), and the fleet with a hosted 8B API; ' +
        'with the goal (firms × 8 and × 100 quarters), the bottleneck, and sweeps over tasks, partition size and instances',
    )
    .option('--firms <n>', 'firms per quarter (default 5000)')
    .option('--quarters <n|range>', 'number of quarters, or a range such as 2021Q1..2022Q4 (default 1)')
    .option('--partition-size <n>', `firms per partition message (default ${DEPLOYMENT_DEFAULTS.batchSize})`)
    .option('--batch-size <n>', 'alias of --partition-size')
    .option(
      '--max-tasks <n>',
      `most firm-worker tasks (default ${DEPLOYMENT_DEFAULTS.concurrency}, the service's)`,
    )
    .option('--concurrency <n>', 'alias of --max-tasks')
    .option(
      '--instances <n>',
      `endpoint instances while a quarter runs (default ${DEPLOYMENT_DEFAULTS.gpus})`,
    )
    .option(
      '--endpoint-instance <type>',
      `SageMaker instance type from the price file (default ${DEPLOYMENT_DEFAULTS.gpuInstance})`,
    )
    .option('--task-vcpus <n>', `vCPUs of a firm-worker task (default ${DEPLOYMENT_DEFAULTS.taskVcpus})`)
    .option(
      '--task-memory-gb <n>',
      `memory of a firm-worker task (default ${DEPLOYMENT_DEFAULTS.taskMemoryGb})`,
    )
    .addOption(
      new Option('--pricing <kind>', 'Fargate Spot or on-demand workers (default spot)').choices([
        'spot',
        'on-demand',
      ]),
    )
    .option('--llm-api <name>', 'hosted LLM from the price file (default llama-3.1-8b-deepinfra)')
    .option(
      '--embed-api <name>',
      'hosted embedding API from the price file (default qwen3-embedding-8b-deepinfra)',
    )
    .option('--prices <file>', `price file (default ${DEFAULT_PRICE_FILE.split('/').slice(-2).join('/')})`)
    .option('--from-run <run_id>', 'take measured per-firm numbers from <lake>/_runs/<run_id>.json');
  for (const { flag, help } of Object.values(OVERRIDE_FLAGS)) cmd.option(flag, help);
  cmd
    .option(
      '--budget <usd>',
      `target dollars per quarter: each path is marked, and the endpoint is sized within it (default ${DEFAULT_SIZING_TARGET.budgetUsd} for the sizing)`,
    )
    .option(
      '--target-hours <h>',
      `wall hours one quarter may take: the endpoint size and task count to reach it (default ${DEFAULT_SIZING_TARGET.wallHours})`,
    )
    .option('--deadline <hours>', 'target wall hours for all quarters')
    .addOption(new Option('--format <format>', 'output format (default table)').choices(['table', 'json']))
    .option(
      '--chart <file.svg>',
      'also write an SVG chart of cost and time against batch size and concurrency',
    );
  addLakeOption(cmd);
  withExample(
    cmd,
    'callthemes estimate --firms 5000 --quarters 2021Q1..2022Q4 --from-run run-20261129T101500Z-ab12cd --lake ./lake --budget 100 --chart estimate.svg',
  );
  cmd.action(async (opts) => {
    const pricesPath = stringSetting('prices', opts.prices, DEFAULT_PRICE_FILE);
    let prices: ReturnType<typeof loadPriceFile>;
    try {
      prices = loadPriceFile(pricesPath);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const overrides: EstimateOptions['overrides'] = {};
    for (const key of OVERRIDABLE) {
      const v = positiveNumber(key, opts[optionKey(OVERRIDE_FLAGS[key].flag)]);
      if (v !== undefined) overrides[key] = v;
    }
    const options: EstimateOptions = {
      firms: intOption('firms', opts.firms, 5000),
      quarters: quarterCount(settingValue('quarters', opts.quarters)),
      batchSize: intOption(
        'partitionSize',
        opts.partitionSize ?? opts.batchSize,
        DEPLOYMENT_DEFAULTS.batchSize,
      ),
      concurrency: intOption('maxTasks', opts.maxTasks ?? opts.concurrency, DEPLOYMENT_DEFAULTS.concurrency),
      gpus: intOption('instances', opts.instances, DEPLOYMENT_DEFAULTS.gpus),
      gpuInstance: stringSetting('endpointInstance', opts.endpointInstance, DEPLOYMENT_DEFAULTS.gpuInstance),
      taskVcpus: positiveNumber('taskVcpus', opts.taskVcpus) ?? DEPLOYMENT_DEFAULTS.taskVcpus,
      taskMemoryGb: positiveNumber('taskMemoryGb', opts.taskMemoryGb) ?? DEPLOYMENT_DEFAULTS.taskMemoryGb,
      themeVcpus: DEPLOYMENT_DEFAULTS.themeVcpus,
      themeMemoryGb: DEPLOYMENT_DEFAULTS.themeMemoryGb,
      pricing: stringSetting('pricing', opts.pricing, 'spot') === 'on-demand' ? 'on-demand' : 'spot',
      llmApi: stringSetting('llmApi', opts.llmApi, 'llama-3.1-8b-deepinfra'),
      embedApi: stringSetting('embedApi', opts.embedApi, 'qwen3-embedding-8b-deepinfra'),
      concurrencyPerInstance: DEPLOYMENT_DEFAULTS.concurrencyPerInstance,
      inFlightPerTask: DEPLOYMENT_DEFAULTS.inFlightPerTask,
      overrides,
    };
    const budget = positiveNumber('budget', opts.budget);
    const deadline = positiveNumber('deadline', opts.deadline);
    const targetHours = positiveNumber('targetHours', opts.targetHours);
    if (targetHours === 0) throw new UsageError('invalid targetHours "0": expected hours > 0');
    const runId = stringSetting('fromRun', opts.fromRun);
    // The lake is read only for a run's metrics.
    if (!runId) refuseGiven(opts, ['lake'], 'only apply with --from-run');
    let run: RunMetrics | undefined;
    if (runId) {
      try {
        run = await readRunMetrics(lakeFrom(opts), runId);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    let resolved: ReturnType<typeof resolveInputs>;
    try {
      resolved = resolveInputs(prices, options, run);
    } catch (err) {
      if (err instanceof InputError) throw new UsageError(err.message);
      throw err;
    }
    const report = buildReport(
      resolved,
      {
        firms: options.firms,
        quarters: options.quarters,
        batchSize: options.batchSize,
        concurrency: options.concurrency,
        gpus: options.gpus,
        gpuInstance: options.gpuInstance,
        deployedInstances: DEPLOYMENT_DEFAULTS.gpus,
        deployedTasks: DEPLOYMENT_DEFAULTS.concurrency,
        task: `${options.taskVcpus} vCPU, ${options.taskMemoryGb} GB`,
        pricing: options.pricing,
        llmApi: options.llmApi,
        embedApi: options.embedApi,
        priceFile: pricesPath,
        pricesAsOf: prices.asOf,
        fromRun: run?.runId ?? null,
      },
      { budgetUsdPerQuarter: budget, deadlineHours: deadline, targetWallHours: targetHours },
      whatIfs(prices, resolved.inputs, options.gpuInstance),
    );
    const chart = stringSetting('chart', opts.chart);
    if (chart) writeFileSync(chart, renderChart(report));
    const format = stringSetting('format', opts.format, 'table');
    if (format !== 'table' && format !== 'json')
      throw new UsageError(`invalid format "${format}": table or json`);
    process.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatTable(report));
    if (chart) process.stderr.write(`chart written to ${chart}\n`);
  });
}
