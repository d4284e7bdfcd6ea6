/**
 * The local run (`callthemes run`): enqueue the plan on the local backend, start K firm workers and one theme
 * worker as processes, show progress, and return when the counters say the plan is done — or when a partition
 * sits in a dead-letter queue and nothing else can move. It decides nothing itself: the queue, the counters and
 * the workers do the work; killing this process or any worker and running the same command again completes the
 * plan with nothing lost or doubled.
 */

import { quarterComplete } from '@callthemes/common/counters';
import { cacheDirFrom, ensureWordVectorCache } from '@callthemes/common/embed';
import { type FleetEvent, fleetSettingsFrom, openFleet, readRunRecords } from '@callthemes/common/fleet';
import { openStore, runKey, TABLE_NAMES, writeListingRejects } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { SqliteWorkQueue } from '@callthemes/common/queue';
import { createSource, unplacedRejects } from '@callthemes/common/sources';
import { enqueuePlan } from '../fleet/enqueue-plan.js';
import type { PlanRequest } from '../fleet/plan-options.js';
import { planStatus } from '../fleet/plan-status.js';
import { LocalWorkers } from './local-workers.js';
import type { Progress } from './progress.js';
import { metricsFromRecords, stageQuartersOf } from './records-metrics.js';
import type { RunMetrics } from './run-metrics.js';
import { removeDeadScratch } from './scratch.js';
import { FIRM_VIEW, THEMES_VIEW } from './stage-view.js';

export interface LocalRunOptions {
  request: PlanRequest;
  lake: string;
  concurrency: number;
  /** Environment of the workers (service flags as CALLTHEMES_*, cache folder). */
  workerEnv: NodeJS.ProcessEnv;
  progress: Progress;
  signal?: AbortSignal;
}

export interface LocalRunOutcome {
  status: RunMetrics['status'];
  metrics: RunMetrics;
  errors: string[];
  /** Dead letters left, with what they were (for the exit message). */
  deadLetters: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function lakeCounts(lake: string, quarters: readonly string[]): Promise<Record<string, number>> {
  const q = await LakeQuery.open(openStore(lake));
  try {
    const list = quarters.map((x) => `'${x}'`).join(',');
    const parts = TABLE_NAMES.map(
      (t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t} WHERE quarter IN (${list})`,
    );
    const rows = await q.rows(parts.join(' UNION ALL '));
    return Object.fromEntries(rows.map((r) => [String(r.t), Number(r.n)]));
  } finally {
    q.close();
  }
}

export async function runLocalPlan(o: LocalRunOptions): Promise<LocalRunOutcome> {
  const { progress } = o;
  const startedAt = new Date();
  const settings = fleetSettingsFrom({ backend: 'local', lake: o.lake });
  const fleet = await openFleet(settings);
  const store = openStore(o.lake);
  const source = await createSource({ ...o.request.sourceOptions });
  const errors: string[] = [];
  let listingRejects = 0;
  let workers: LocalWorkers | null = null;
  let status: RunMetrics['status'] = 'ok';
  const deadLetters: string[] = [];
  let plan: Awaited<ReturnType<typeof enqueuePlan>>['plan'] | null = null;
  try {
    const scratch = await removeDeadScratch(store);
    if (scratch > 0) progress.log(`removed ${scratch} scratch file(s) of runs that were killed`);
    const unplaced = await unplacedRejects(source);
    for (const r of unplaced) progress.log(`reject ${r.sourceRef}: ${r.reason}`);
    if (unplaced.length > 0) await writeListingRejects(store, 'unknown', unplaced);
    listingRejects += unplaced.length;

    const enq = await enqueuePlan({ fleet, store, source, log: (l) => progress.log(l) }, o.request);
    plan = enq.plan;
    const runPlan = enq.plan;
    listingRejects += enq.first.listingRejects;
    if (enq.first.missingFirms > 0)
      progress.log(
        `${enq.first.quarter}: ${enq.first.missingFirms} firm id(s) of the --firms file have no call`,
      );
    progress.log(
      `run ${plan.runId}: ${plan.quarters.length} quarter(s); ${enq.first.quarter} has ${enq.first.firms} firms in ` +
        `${enq.first.partitions} partition(s), ${enq.first.sent} sent now`,
    );

    const started = new Set<string>();
    const ended = new Set<string>();
    /** One stage over one quarter as the progress line shows it, from that quarter's records only. */
    const stageQuarter = async (stage: 'firm' | 'themes', quarter: string, expected: number | null) => {
      const records = await readRunRecords(store, runPlan.runId, quarter);
      return stageQuartersOf({
        plan: runPlan,
        ...records,
        expected: { [quarter]: expected },
        startedAt,
      }).find((s) => s.stage === stage);
    };
    const onEvent = (e: FleetEvent) => {
      if (e.event === 'firm') {
        progress.item(FIRM_VIEW, {
          stage: 'firm',
          quarter: String(e.quarter),
          itemId: String(e.firmId),
          ok: Boolean(e.ok),
          seconds: Number(e.seconds),
          counts: { sentences: Number(e.sentences), topics: Number(e.topics) },
          reason: typeof e.reason === 'string' ? e.reason : undefined,
        });
      } else if (e.event === 'log' && (e.level === 'error' || e.level === 'warn'))
        progress.log(`${String(e.worker)}: ${String(e.msg)}`);
    };

    let st = await planStatus(fleet, plan);
    if (!st.done && !o.signal?.aborted) {
      // Workers load the word vectors from the binary cache (the theme worker always does, for keyword vectors):
      // build it once here, not K+1 times at once.
      ensureWordVectorCache(o.workerEnv.CALLTHEMES_CACHE_DIR ?? cacheDirFrom());
      workers = new LocalWorkers({
        concurrency: o.concurrency,
        env: { ...o.workerEnv, CALLTHEMES_LAKE: o.lake },
        onEvent,
        onLine: (line, w) => progress.log(`${w}: ${line}`),
      });
      workers.start();
      progress.log(`started ${o.concurrency} firm worker(s) and 1 theme worker`);
    }
    for (;;) {
      // Progress per quarter: a bar when its partitions are known, a line when they are done and when themed.
      for (const q of st.quarters) {
        if (q.expected !== null && !started.has(q.quarter)) {
          started.add(q.quarter);
          const earlier = q.firmsOk + q.firmsRejected;
          progress.stageStart(
            FIRM_VIEW,
            q.quarter,
            Math.max(0, (q.firms ?? 0) - earlier),
            earlier,
            q.expected,
          );
        }
        if (quarterComplete(q) && !ended.has(q.quarter)) {
          ended.add(q.quarter);
          const sq = await stageQuarter('firm', q.quarter, q.expected);
          if (sq) progress.stageEnd(FIRM_VIEW, sq);
        }
        if (q.themed && !ended.has(`themes/${q.quarter}`)) {
          ended.add(`themes/${q.quarter}`);
          const sq = await stageQuarter('themes', q.quarter, q.expected);
          if (sq) progress.stageEnd(THEMES_VIEW, sq);
        }
      }
      if (st.done) break;
      if (st.stalled) {
        status = 'failed';
        break;
      }
      if (workers?.failure) {
        errors.push(workers.failure);
        status = 'failed';
        break;
      }
      if (o.signal?.aborted) {
        status = 'interrupted';
        break;
      }
      // A status read is ~1 ms (counters + two queue depths); the last one before `done` delays the run's end.
      await sleep(100);
      st = await planStatus(fleet, plan);
    }
    if (status === 'failed' && st.stalled) {
      for (const q of [fleet.partitions, fleet.themes]) {
        // The local run's fleet is always the SQLite one, whose dead letters can be read without consuming them.
        const dl = q instanceof SqliteWorkQueue ? q.deadLetters() : [];
        for (const d of dl) {
          let what = d.body.slice(0, 80);
          try {
            const m = JSON.parse(d.body) as { quarter?: string; partition?: number; type?: string };
            what = m.type === 'partition' ? `${m.quarter} partition ${m.partition}` : `${m.quarter} themes`;
          } catch {}
          deadLetters.push(`${q.name}: ${what}${d.reason ? ` (${d.reason})` : ''}`);
        }
      }
      errors.push(
        `${deadLetters.length} message(s) in the dead-letter queues: ${deadLetters.join('; ')}. ` +
          `Fix the cause, then: pnpm producer redrive --lake ${o.lake} and run the same command again`,
      );
    }
  } catch (err) {
    errors.push((err as Error).message);
    status = 'failed';
  } finally {
    if (workers) {
      if (o.signal?.aborted)
        progress.log(
          'stop requested: each worker finishes its current firm, flushes and releases its partition ' +
            '(run the same command to resume)',
        );
      await workers.stop();
    }
    await source.close?.();
  }
  // Again at the end: a process of a killed run may still have been dying (alive to kill(pid, 0)) when this one
  // started, and its scratch file would stay; by now every worker of this run has exited too.
  const leftScratch = await removeDeadScratch(store).catch(() => 0);
  if (leftScratch > 0) progress.log(`removed ${leftScratch} scratch file(s) of processes that had ended`);

  let metrics: RunMetrics;
  if (plan) {
    const records = await readRunRecords(store, plan.runId);
    const states = await Promise.all(plan.quarters.map((q) => fleet.counters.quarterState(plan!.runId, q)));
    const workerRss = Math.max(0, ...[...records.partitions, ...records.themes].map((r) => r.maxRssBytes));
    const extra: Record<string, unknown> = { errors };
    if (status === 'ok') extra.lakeCounts = await lakeCounts(o.lake, plan.quarters);
    metrics = metricsFromRecords({
      plan,
      ...records,
      expected: Object.fromEntries(states.map((s) => [s.quarter, s.expected])),
      startedAt,
      status,
      concurrency: o.concurrency,
      listingRejects,
      peakRssBytes: process.resourceUsage().maxRSS * 1024 + workerRss * (o.concurrency + 1),
      workerStartSeconds: workers?.readySeconds ?? 0,
      extra,
    });
    await store.putText(runKey(plan.runId), `${JSON.stringify(metrics, null, 2)}\n`);
  } else {
    throw new Error(errors.join('; '));
  }
  await fleet.close();
  return { status, metrics, errors, deadLetters };
}
