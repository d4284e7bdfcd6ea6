/**
 * The operator's commands of the fleet: `enqueue` (record a plan, send its first quarter's partitions),
 * `status` (where a run stands), `redrive` (dead letters back to their queue). `--backend aws` uses the queue
 * URLs and table from CALLTHEMES_* (or the deployed stack's outputs); `local` the SQLite beside the lake.
 */
import { DEFAULT_CONFIG, FLEET_NAMES, stringSetting } from '@callthemes/common/config';
import {
  type Fleet,
  type FleetBackend,
  type FleetSettings,
  fleetSettingsFrom,
  openFleet,
  sourceSpecOf,
} from '@callthemes/common/fleet';
import { openStore, parseS3Url } from '@callthemes/common/lake';
import { createSource, inputTarget, isS3Input, uploadInput } from '@callthemes/common/sources';
import { type Command, Option } from 'commander';
import { readStackOutputs, type StackOutputs } from '../../aws/stack-outputs.js';
import { enqueuePlan, PlanConflictError } from '../../fleet/enqueue-plan.js';
import type { PlanRequest } from '../../fleet/plan-options.js';
import { addPlanOptions, planRequestFrom } from '../../fleet/plan-options.js';
import { formatPlanStatus, planStatus } from '../../fleet/plan-status.js';
import { addLakeOption, UsageError, withExample } from '../common.js';
import { serviceChoiceFrom } from '../service-env.js';

/** `--lake` and `--backend`: which fleet a command works on (fleetFrom). */
function addFleetOptions(cmd: Command): Command {
  return addLakeOption(cmd).addOption(
    new Option(
      '--backend <backend>',
      'local (SQLite beside the lake) or aws (SQS + DynamoDB from CALLTHEMES_* settings); default: aws when CALLTHEMES_PARTITIONS_QUEUE_URL is set',
    ).choices(['local', 'aws']),
  );
}

/**
 * The fleet a command works on. `--backend aws` without CALLTHEMES_PARTITIONS_QUEUE_URL reads the queue URLs,
 * the table, the lake and the firm service from the deployed stack's outputs (setting `stackName`).
 */
/** Runs `work` on the command's fleet, closed after it. */
async function withFleet(opts: { lake?: string; backend?: string }, work: (fleet: Fleet) => Promise<void>) {
  const fleet = await fleetFrom(opts);
  try {
    await work(fleet);
  } finally {
    await fleet.close();
  }
}

export async function fleetFrom(opts: { lake?: string; backend?: string }): Promise<Fleet> {
  const backend = stringSetting('backend', opts.backend) as FleetBackend | undefined;
  if (backend !== undefined && backend !== 'local' && backend !== 'aws')
    throw new UsageError(`invalid --backend "${backend}": expected local or aws`);
  let lake = stringSetting('lake', opts.lake);
  const overrides: Partial<FleetSettings> = { backend };
  if (backend === 'aws' && !process.env.CALLTHEMES_PARTITIONS_QUEUE_URL) {
    const stackName = stringSetting('stackName', undefined, DEFAULT_CONFIG.stackName);
    let outputs: StackOutputs;
    try {
      outputs = await readStackOutputs(stackName);
    } catch (err) {
      throw new UsageError(
        `${(err as Error).message}; set CALLTHEMES_PARTITIONS_QUEUE_URL, CALLTHEMES_THEMES_QUEUE_URL and ` +
          'CALLTHEMES_COUNTERS_TABLE, or deploy the stack (docs/aws.md)',
      );
    }
    overrides.partitionsQueueUrl = outputs.PartitionsQueueUrl;
    overrides.themesQueueUrl = outputs.ThemesQueueUrl;
    overrides.countersTable = outputs.CountersTable;
    lake ??= outputs.LakeUri;
    overrides.firmWorkerService = process.env.CALLTHEMES_FIRM_WORKER_SERVICE || outputs.FirmWorkerService;
    overrides.themeWorkerService = process.env.CALLTHEMES_THEME_WORKER_SERVICE || outputs.ThemeWorkerService;
  }
  try {
    return await openFleet(
      fleetSettingsFrom({ ...overrides, lake: lake ?? (process.env.CALLTHEMES_LAKE || './lake') }),
    );
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * The AWS fleet's tasks cannot open a path of this machine: a local `--input` is uploaded first, under the
 * stack's input prefix in the lake's bucket (`s3://<bucket>/input/<folder name>`), and the plan names that.
 */
async function inputOnS3(request: PlanRequest, lake: string): Promise<void> {
  const input = request.sourceOptions.input;
  if (!input || isS3Input(input)) return;
  if (!isS3Input(lake))
    throw new UsageError(
      `--input ${input} is a local path and the lake ${lake} is not on S3: the AWS workers could not open it; ` +
        'upload it and give --input s3://…',
    );
  const target = inputTarget(input, `s3://${parseS3Url(lake).bucket}/${FLEET_NAMES.inputPrefix}`);
  const up = await uploadInput(input, target, { log: (l) => process.stderr.write(`${l}\n`) });
  process.stderr.write(
    `input ${input} → ${up.url}: ${up.uploaded} file(s) uploaded (${(up.bytes / 1e6).toFixed(1)} MB), ` +
      `${up.unchanged} unchanged\n`,
  );
  request.sourceOptions = { ...request.sourceOptions, input: up.url };
  request.settings = { ...request.settings, source: sourceSpecOf(request.sourceOptions) };
}

export function registerEnqueue(program: Command): void {
  const cmd = program
    .command('enqueue')
    .description(
      "record a run's plan and send its first quarter's partition messages (idempotent, resumable)",
    )
    .option('--then <range>', 'with --quarter: the quarters the run goes on to, e.g. 2021Q3..2021Q4');
  addPlanOptions(cmd, { singleQuarter: true });
  addFleetOptions(cmd);
  withExample(cmd, 'pnpm producer enqueue --quarter 2021Q2 --source ectsum --input examples/ectsum');
  cmd.action(async (opts) => {
    const services = serviceChoiceFrom({});
    const request = planRequestFrom(opts, services.models, { thenQuarters: opts.then });
    if (opts.then && opts.quarter === undefined) throw new UsageError('--then goes with --quarter');
    const fleet = await fleetFrom(opts);
    const store = openStore(fleet.settings.lake);
    if (fleet.settings.backend === 'aws') await inputOnS3(request, fleet.settings.lake);
    const source = await createSource({ ...request.sourceOptions });
    try {
      const { plan, first } = await enqueuePlan(
        { fleet, store, source, log: (l) => process.stderr.write(`${l}\n`) },
        request,
      );
      process.stdout.write(
        `run ${plan.runId}: ${plan.quarters.join(', ')}; ${first.quarter}: ${first.firms} firms in ` +
          `${first.partitions} partition(s), ${first.sent} sent now (${first.partitions - first.sent} earlier)\n` +
          `watch it: pnpm producer status --run ${plan.runId}${opts.lake ? ` --lake ${opts.lake}` : ''}\n`,
      );
    } catch (err) {
      if (err instanceof PlanConflictError) throw new UsageError(err.message);
      throw err;
    } finally {
      await source.close?.();
      await fleet.close();
    }
  });
}

export function registerStatus(program: Command): void {
  const cmd = program
    .command('status')
    .description(
      'where a run stands: partitions done per quarter, firms, themes; queue and dead-letter depths',
    )
    .option('--run <id>', 'the run (default: the newest)')
    .option('--json', 'print JSON');
  addFleetOptions(cmd);
  withExample(cmd, 'pnpm producer status --lake ./lake');
  cmd.action((opts) =>
    withFleet(opts, async (fleet) => {
      const runs = await fleet.counters.listRuns();
      const plan = opts.run ? runs.find((r) => r.runId === opts.run) : runs[0];
      if (!plan)
        throw new UsageError(opts.run ? `no run ${opts.run} in the counters` : 'no run in the counters yet');
      const s = await planStatus(fleet, plan, openStore(fleet.settings.lake));
      process.stdout.write(opts.json ? `${JSON.stringify(s, null, 2)}\n` : formatPlanStatus(s));
      if (!opts.run && runs.length > 1)
        process.stdout.write(
          `(${runs.length - 1} older run(s): ${runs
            .slice(1, 4)
            .map((r) => r.runId)
            .join(', ')}…)\n`,
        );
    }),
  );
}

export function registerRedrive(program: Command): void {
  const cmd = program
    .command('redrive')
    .description('move the dead letters of a queue back to it (SQS StartMessageMoveTask on AWS)')
    .addOption(
      new Option('--queue <queue>', 'partitions or themes (default: both)').choices(['partitions', 'themes']),
    )
    .option('--dry-run', 'only count the dead letters');
  addFleetOptions(cmd);
  withExample(cmd, 'pnpm producer redrive --queue partitions --lake ./lake');
  cmd.action((opts) =>
    withFleet(opts, async (fleet) => {
      const queues = opts.queue
        ? [opts.queue === 'themes' ? fleet.themes : fleet.partitions]
        : [fleet.partitions, fleet.themes];
      for (const q of queues) {
        const r = await q.redrive({ dryRun: Boolean(opts.dryRun) });
        process.stdout.write(
          `${q.name}: ${r.moved} dead letter(s) ${opts.dryRun ? 'would be moved' : 'moved back'}${r.task ? ` (task ${r.task})` : ''}\n`,
        );
      }
    }),
  );
}
