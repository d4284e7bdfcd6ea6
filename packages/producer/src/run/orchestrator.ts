/**
 * The local run (`callthemes run`): for each quarter, list and select its firms, then run each stage of the
 * build (./stages.ts) over the quarter — its batches on the worker pool, those finished by an earlier attempt
 * skipped — then the next quarter. Metrics go to `_runs/<run_id>.json` as the run goes and when it ends.
 *
 * A stop request (SIGTERM: a spot interruption notice) lets each busy worker finish its current firm and
 * flush; queued batches are not started; the run ends `interrupted` and the same command resumes it.
 */

import {
  ensureQuarterLayout,
  openStore,
  pruneBatchesFrom,
  TABLE_NAMES,
  writeListingRejects,
} from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import type { FirmRef } from '@callthemes/common/sources';
import { batchCount, createSource, unplacedRejects } from '@callthemes/common/sources';
import type { FirmSelection, RunConfig } from './config.js';
import { RunMetricsCollector } from './metrics.js';
import { PoolStoppedError, WorkerPool } from './pool.js';
import type { Progress } from './progress.js';
import { batchFingerprint, isBatchDone } from './resume.js';
import type { RunMetrics } from './run-metrics.js';
import { removeDeadScratch } from './scratch.js';
import type { StageDef, StageTask } from './stage.js';
import { STAGES } from './stages.js';

export interface RunControl {
  progress: Progress;
  /** Aborted → stop gracefully (finish current firms, flush, end `interrupted`). */
  signal?: AbortSignal;
  /** The stages to run, in order (default: every stage of the build). */
  stages?: readonly StageDef[];
}

export interface RunOutcome {
  status: RunMetrics['status'];
  metrics: RunMetrics;
  errors: string[];
}

/** The quarter's firms the run covers: all, the first N by id, or those named in the firm file. */
export function selectFirms(firms: readonly FirmRef[], selection: FirmSelection): FirmRef[] {
  if (selection === null) return [...firms];
  if ('limit' in selection) return firms.slice(0, selection.limit);
  const wanted = new Set(selection.ids);
  return firms.filter((f) => wanted.has(f.firmId));
}

/** Rows of each table in the lake for the given quarters. */
async function lakeCounts(config: RunConfig): Promise<Record<string, number>> {
  const q = await LakeQuery.open(openStore(config.lake));
  try {
    const list = config.quarters.map((x) => `'${x}'`).join(',');
    const parts = TABLE_NAMES.map(
      (t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t} WHERE quarter IN (${list})`,
    );
    const rows = await q.rows(parts.join(' UNION ALL '));
    return Object.fromEntries(rows.map((r) => [String(r.t), Number(r.n)]));
  } finally {
    q.close();
  }
}

export async function runPipeline(config: RunConfig, control: RunControl): Promise<RunOutcome> {
  const { progress } = control;
  const stages = control.stages ?? STAGES;
  const store = openStore(config.lake);
  const source = await createSource(config.source);
  const collector = new RunMetricsCollector(config, config.workers);
  const errors: string[] = [];
  let stopped = control.signal?.aborted ?? false;
  let pool: Promise<WorkerPool> | null = null;
  const getPool = () => {
    if (!pool) {
      const t0 = performance.now();
      pool = WorkerPool.start({ kind: config.workers, size: config.concurrency, config });
      void pool.then(
        () => {
          collector.workerStartSeconds = (performance.now() - t0) / 1000;
          progress.log(
            `started ${config.concurrency} ${config.workers} worker(s) in ${collector.workerStartSeconds.toFixed(1)} s`,
          );
        },
        () => {},
      );
    }
    return pool;
  };
  const onStop = () => {
    if (stopped) return;
    stopped = true;
    progress.log(
      'stop requested: finishing the current firms, then flushing (run the same command to resume)',
    );
    void pool?.then((p) => p.stop()).catch(() => {});
  };
  control.signal?.addEventListener('abort', onStop);
  let lastWrite = 0;
  const writeRunning = async (force = false) => {
    if (!force && performance.now() - lastWrite < 2000) return;
    lastWrite = performance.now();
    await collector.write(store, 'running', { errors });
  };
  let nextTaskId = 1;

  try {
    await writeRunning(true);
    const scratch = await removeDeadScratch(store);
    if (scratch > 0) progress.log(`removed ${scratch} scratch file(s) of runs that were killed`);
    const unplaced = await unplacedRejects(source);
    for (const r of unplaced) progress.log(`reject ${r.sourceRef}: ${r.reason}`);
    if (unplaced.length > 0) {
      await writeListingRejects(store, 'unknown', unplaced);
      collector.addListingRejects(unplaced.length);
    }

    quarters: for (const quarter of config.quarters) {
      if (stopped) break;
      const listing = await source.listFirms(quarter);
      for (const r of listing.rejects) progress.log(`reject ${r.sourceRef}: ${r.reason}`);
      await writeListingRejects(store, quarter, listing.rejects);
      collector.addListingRejects(listing.rejects.length);
      const firms = selectFirms(listing.firms, config.firms);
      if (config.firms && 'ids' in config.firms) {
        const missing = config.firms.ids.length - firms.length;
        if (missing > 0)
          progress.log(`${quarter}: ${missing} firm id(s) of ${config.firms.file} have no call`);
      }

      let settings: Record<string, unknown> = {};
      let upstreamFailed: string | null = null;
      for (const stage of stages) {
        settings = { ...settings, [stage.name]: stage.settings(config) };
        if (upstreamFailed) {
          progress.log(`${stage.name} ${quarter}: skipped, ${upstreamFailed} did not finish`);
          continue;
        }
        const plan = await stage.plan({ config, store, source, firms }, quarter);
        const batchSize = stage.batching === 'firms' ? config.batchSize : Math.max(1, plan.items.length);
        const nBatches = plan.items.length === 0 ? 0 : batchCount(plan.items.length, batchSize);
        if (stage.batching === 'firms') {
          if (await ensureQuarterLayout(store, quarter, stage.name, stage.tables, batchSize))
            progress.log(
              `${stage.name} ${quarter}: batch size changed to ${batchSize}; earlier parts cleared`,
            );
          const pruned = await pruneBatchesFrom(store, quarter, stage.name, stage.tables, nBatches);
          if (pruned > 0)
            progress.log(`${stage.name} ${quarter}: removed ${pruned} file(s) of batches beyond ${nBatches}`);
        }
        const todo: StageTask[] = [];
        let skippedItems = 0;
        for (let b = 0; b < nBatches; b++) {
          const items = plan.items.slice(b * batchSize, (b + 1) * batchSize);
          const fingerprint = batchFingerprint({ stage: stage.name, settings, batchSize, items });
          if (await isBatchDone(store, quarter, stage.name, b, fingerprint)) skippedItems += items.length;
          else todo.push({ id: nextTaskId++, stage: stage.name, quarter, batch: b, batchSize, fingerprint });
        }
        // Workers start and load the stage's models before the stage's clock, so that is not billed to its firms.
        const ready = todo.length > 0 && !stopped ? await getPool() : null;
        if (ready) {
          const t0 = performance.now();
          await ready.prepare(stage.name);
          const s = (performance.now() - t0) / 1000;
          collector.prepareSeconds[stage.name] = (collector.prepareSeconds[stage.name] ?? 0) + s;
          if (s >= 0.5) progress.log(`${stage.name}: workers prepared in ${s.toFixed(1)} s`);
        }
        const timer = collector.begin(stage.name, quarter, nBatches, nBatches - todo.length, plan.note);
        const todoItems = plan.items.length - skippedItems;
        progress.stageStart(stage, quarter, todoItems, skippedItems, todo.length);
        if (ready) {
          const p = ready;
          if (stopped) p.stop();
          p.share(stage.name, quarter, plan.shared);
          await Promise.all(
            todo.map((task) =>
              p
                .run(task, (e) => {
                  timer.item(e);
                  progress.item(stage, e);
                })
                .then(
                  async ({ outcome, usage }) => {
                    timer.batchDone(outcome, usage);
                    await writeRunning();
                  },
                  (err: Error) => {
                    if (err instanceof PoolStoppedError) {
                      timer.sq.interrupted = true;
                      return;
                    }
                    timer.batchFailed();
                    const msg = `${stage.name} ${quarter} batch ${task.batch} failed: ${err.message}`;
                    errors.push(msg);
                    progress.log(msg);
                  },
                ),
            ),
          );
        } else if (todo.length > 0) timer.sq.interrupted = true;
        timer.end();
        progress.stageEnd(stage, timer.sq);
        if (timer.sq.interrupted || stopped) break quarters;
        if (timer.sq.batchesFailed > 0) upstreamFailed = `${stage.name} ${quarter}`;
      }
    }
  } catch (err) {
    errors.push((err as Error).message);
  } finally {
    control.signal?.removeEventListener('abort', onStop);
    if (pool) await (await (pool as Promise<WorkerPool>).catch(() => null))?.close();
    await source.close?.();
  }

  const status: RunMetrics['status'] = stopped ? 'interrupted' : errors.length > 0 ? 'failed' : 'ok';
  const extra: Record<string, unknown> = { errors };
  if (status === 'ok') extra.lakeCounts = await lakeCounts(config);
  const metrics = await collector.write(store, status, extra);
  return { status, metrics, errors };
}
