/**
 * The theme worker's message handler: one quarter. Reads only the quarter's topics → themes → validation →
 * names → lineage → `themes`, `topic_themes`, `theme_links`, then the two score tables; marks the quarter done
 * and, when the plan goes on and this call wins `nextEnqueued`, lists and enqueues the next quarter (resumable).
 * A message for a quarter already done only finishes an interrupted next-quarter enqueue, then is deleted.
 */
import { quarterComplete, type RunPlan } from '@callthemes/common/counters';
import {
  acceptMessage,
  enqueueQuarter,
  eventLine,
  type Fleet,
  finishQuarter,
  planSettingsOf,
  type ThemeRecord,
  themeOwner,
  themeRecordKey,
  usageDelta,
  type WorkerRuntime,
  workerLog,
  writeRecord,
} from '@callthemes/common/fleet';
import type { LakeStore } from '@callthemes/common/lake';
import { parseThemeMessage, type ThemeMessage } from '@callthemes/common/messages';
import type { HandleResult, QueueMessage } from '@callthemes/common/queue';
import { clearQuarterThemes } from './empty-quarter.js';
import { writeScoreTables } from './score-tables.js';
import { runThemeStage } from './theme-stage.js';

export interface ThemeWorkerDeps {
  fleet: Fleet;
  store: LakeStore;
  runtime: WorkerRuntime;
  workerId: string;
  emit: (line: string) => void;
}

export function createWorker(deps: ThemeWorkerDeps) {
  const { fleet, store, runtime } = deps;
  const log = workerLog(deps.emit, deps.workerId);

  async function handle(message: QueueMessage, _signal: AbortSignal): Promise<HandleResult> {
    const accepted = await acceptMessage(message, {
      fleet,
      queue: fleet.themes,
      parse: parseThemeMessage,
      log,
    });
    if (!accepted) return 'done';
    const { m, plan } = accepted;
    deps.emit(
      eventLine({
        event: 'received',
        worker: deps.workerId,
        quarter: m.quarter,
        receiveCount: message.receiveCount,
      }),
    );
    const state = await fleet.counters.quarterState(m.runId, m.quarter);
    if (!quarterComplete(state))
      throw new Error(
        `${m.quarter}: theme message before the quarter's partitions are done (${state.done.length}/${state.expected ?? '?'})`,
      );
    let record: ThemeRecord | null = null;
    if (!state.themed)
      record = state.firmsOk === 0 ? await recordEmptyQuarter(m) : await themeQuarter(m, plan);
    const next = await finishQuarter(
      fleet,
      plan,
      m.quarter,
      async (q) => {
        const source = await runtime.source(planSettingsOf(plan).source);
        const r = await enqueueQuarter({ fleet, store, source, plan, log, owner: themeOwner(m) }, q);
        log(`${q}: enqueued ${r.sent} of ${r.partitions} partitions (${r.firms} firms)`, { quarter: q });
      },
      themeOwner(m),
    );
    deps.emit(
      eventLine({
        event: 'theme',
        worker: deps.workerId,
        runId: m.runId,
        quarter: m.quarter,
        redelivered: record === null,
        themes: record?.themes ?? null,
        topics: record?.topics ?? null,
        firms: record?.firms ?? null,
        seconds: record ? Number(record.wallSeconds.toFixed(3)) : null,
        next,
        receiveCount: message.receiveCount,
      }),
    );
    return 'done';
  }

  async function themeQuarter(m: ThemeMessage, plan: RunPlan): Promise<ThemeRecord> {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const usage0 = runtime.usage();
    const services = await runtime.services();
    const res = await runThemeStage({
      store,
      quarter: m.quarter,
      runId: m.runId,
      model: { seed: planSettingsOf(plan).seed },
      keywordEmbedder: await runtime.sif(),
      namer: services.themeNamer,
    });
    await writeScoreTables(store, m.quarter);
    const cpu = process.cpuUsage(cpu0);
    const record: ThemeRecord = {
      runId: m.runId,
      quarter: m.quarter,
      worker: deps.workerId,
      firms: res.stats.firms,
      topics: res.stats.topics,
      themes: res.stats.themes,
      links: res.links.length,
      largestShare: res.stats.largestShare,
      degenerate: res.stats.degenerate,
      wallSeconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      ledger: usageDelta(usage0, runtime.usage()),
      finishedAt: new Date().toISOString(),
    };
    await writeRecord(store, themeRecordKey(m.runId, m.quarter), record);
    if (record.degenerate)
      log(`${m.quarter}: WARNING the themes look degenerate: ${record.degenerate}`, {
        level: 'warn',
        quarter: m.quarter,
      });
    return record;
  }

  /** No firm of the quarter completed: record it as themed and empty, so the plan goes on (DESIGN). */
  async function recordEmptyQuarter(m: ThemeMessage): Promise<ThemeRecord> {
    const t0 = performance.now();
    await clearQuarterThemes(store, m.quarter);
    const record: ThemeRecord = {
      runId: m.runId,
      quarter: m.quarter,
      worker: deps.workerId,
      firms: 0,
      topics: 0,
      themes: 0,
      links: 0,
      empty: true,
      wallSeconds: (performance.now() - t0) / 1000,
      cpuSeconds: 0,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      ledger: {},
      finishedAt: new Date().toISOString(),
    };
    await writeRecord(store, themeRecordKey(m.runId, m.quarter), record);
    log(`${m.quarter}: no firm completed (no calls, or all rejected); recorded empty, the plan goes on`, {
      quarter: m.quarter,
    });
    return record;
  }

  return { handle };
}
