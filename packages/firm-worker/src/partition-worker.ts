/**
 * The firm worker's message handler: one partition of a quarter. Per firm fetch → sentences → embed → topics →
 * names → sentence sentiment, parts flushed every N firms under the partition's deterministic names, manifests
 * last; then the partition's completion in the counters (and, when that completed the quarter, the theme message
 * once); then the message is deleted. Every step may run twice (at-least-once): a redelivery rewrites the same
 * names, or, when the manifest already holds this partition's output, skips straight to the completion.
 */
import type { RunPlan } from '@callthemes/common/counters';
import {
  acceptMessage,
  completePartition,
  crashPoint,
  eventLine,
  type Fleet,
  hashOf,
  type PartitionRecord,
  partitionOwner,
  partitionRecordKey,
  planSettingsOf,
  usageDelta,
  type WorkerRuntime,
  workerLog,
  writeRecord,
} from '@callthemes/common/fleet';
import { releasesPartition } from '@callthemes/common/inference/errors';
import { type LakeStore, type PartitionManifest, readManifest } from '@callthemes/common/lake';
import { type PartitionMessage, parsePartitionMessage } from '@callthemes/common/messages';
import type { HandleResult, QueueMessage } from '@callthemes/common/queue';
import type { FirmAnalyzer } from '@callthemes/common/topics';
import { FIRM_STAGE, runFirmStage } from './firm-stage.js';
import { SENTIMENT_STAGE } from './partition-stage.js';
import { analyzerFor } from './plan-analyzer.js';

export interface FirmWorkerDeps {
  fleet: Fleet;
  store: LakeStore;
  runtime: WorkerRuntime;
  /** A name for logs and records (host/pid). */
  workerId: string;
  /** Where event lines go (stdout in a container: CloudWatch turns the EMF ones into metrics). */
  emit: (line: string) => void;
}

export interface FirmWorker {
  handle(message: QueueMessage, signal: AbortSignal): Promise<HandleResult>;
}

/**
 * What a partition's output depends on: the plan's settings but the firm selection (which only decides the
 * partitions' contents), and the partition's firms. Stored in its manifest: a later run whose partition holds the
 * same firms with the same settings reuses it.
 */
export function partitionFingerprint(m: PartitionMessage, plan: RunPlan): string {
  const { firms: _selection, ...settings } = planSettingsOf(plan);
  return hashOf({ settings, quarter: m.quarter, partition: m.partition, firms: m.firms }, 24);
}

export function createWorker(deps: FirmWorkerDeps): FirmWorker {
  const { fleet, store, runtime } = deps;
  const plans = new Map<string, RunPlan>();
  const analyzers = new Map<string, Promise<FirmAnalyzer>>();
  const log = workerLog(deps.emit, deps.workerId);

  async function handle(message: QueueMessage, signal: AbortSignal): Promise<HandleResult> {
    const accepted = await acceptMessage(message, {
      fleet,
      queue: fleet.partitions,
      parse: parsePartitionMessage,
      log,
      plans,
    });
    if (!accepted) return 'done';
    const { m, plan } = accepted;
    const label = `${m.quarter} partition ${m.partition}`;
    deps.emit(
      eventLine({
        event: 'received',
        worker: deps.workerId,
        quarter: m.quarter,
        partition: m.partition,
        receiveCount: message.receiveCount,
      }),
    );
    const fingerprint = partitionFingerprint(m, plan);
    const manifest = await readManifest(store, m.quarter, FIRM_STAGE, m.partition).catch(() => null);
    // Reused only when the labels are there too (a relabel with another batch size may have replaced them).
    const labels = await readManifest(store, m.quarter, SENTIMENT_STAGE, m.partition).catch(() => null);
    let firms = { ok: 0, rejected: 0 };
    if (manifest?.fingerprint === fingerprint && labels?.fingerprint === fingerprint) {
      // Written by an earlier delivery (or run) that stopped before completing it here: no work to redo.
      firms = { ok: Number(manifest.firmsOk ?? 0), rejected: Number(manifest.firmsRejected ?? 0) };
      log(`${label}: already in the lake, completing it`, { quarter: m.quarter, partition: m.partition });
      const key = partitionRecordKey(m.runId, m.quarter, m.partition);
      if ((await store.getText(key)) === null)
        await writeRecord(store, key, reusedRecord(m, deps.workerId, manifest));
    } else {
      let done: { ok: number; rejected: number } | null;
      try {
        done = await runPartition(m, plan, signal);
      } catch (err) {
        if (!releasesPartition(err)) throw err;
        // Backlog without capacity (the endpoint scales up from zero): hand the partition back, do not
        // complete it on fallbacks.
        log(`${label}: ${(err as Error).message}; released until the endpoint has capacity`);
        return 'release';
      }
      if (done === null) return 'release';
      firms = done;
    }
    crashPoint('after-write');
    const c = await completePartition(fleet, plan, m.quarter, m.partition, firms, partitionOwner(m), log);
    crashPoint('before-delete');
    deps.emit(
      eventLine(
        {
          event: 'partition',
          worker: deps.workerId,
          runId: m.runId,
          quarter: m.quarter,
          partition: m.partition,
          firmsOk: firms.ok,
          firmsRejected: firms.rejected,
          done: c.done,
          expected: c.expected,
          newlyCompleted: c.newlyCompleted,
          themeSent: c.themeSent,
          receiveCount: message.receiveCount,
        },
        c.newlyCompleted ? { PartitionsCompleted: 1, FirmsCompleted: firms.ok } : {},
        m.quarter,
      ),
    );
    return 'done';
  }

  /** Runs the firm stage over the partition; null when stopped (SIGTERM) before the end. */
  async function runPartition(
    m: PartitionMessage,
    plan: RunPlan,
    signal: AbortSignal,
  ): Promise<{ ok: number; rejected: number } | null> {
    const s = planSettingsOf(plan);
    const fingerprint = partitionFingerprint(m, plan);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const usage0 = runtime.usage();
    let analyzer = analyzers.get(plan.settingsHash);
    if (!analyzer) {
      analyzer = analyzerFor(runtime, s);
      analyzers.set(plan.settingsHash, analyzer);
    }
    const firmSeconds: number[] = [];
    const res = await runFirmStage({
      store,
      source: await runtime.source(m.source),
      quarter: m.quarter,
      batch: m.partition,
      batchSize: m.partitionSize,
      runId: m.runId,
      flushEvery: s.flushEvery,
      filter: { minTokens: s.minTokens },
      analyzer: await analyzer,
      classifier: await runtime.classifier(),
      firmIds: m.firms,
      signal,
      manifestExtra: { fingerprint },
      onFirm: (e) => {
        if (e.ok) firmSeconds.push(e.seconds);
        deps.emit(
          eventLine({
            event: 'firm',
            runId: m.runId,
            quarter: e.quarter,
            partition: m.partition,
            firmId: e.firmId,
            ok: e.ok,
            seconds: Number(e.seconds.toFixed(4)),
            sentences: e.nSentences,
            topics: e.nTopics,
            ...(e.reason ? { reason: e.reason } : {}),
          }),
        );
      },
    });
    if (res.interrupted) {
      log(
        `${m.quarter} partition ${m.partition}: stopped after ${res.firmsOk + res.firmsRejected} firms, released`,
      );
      return null;
    }
    const cpu = process.cpuUsage(cpu0);
    const record: PartitionRecord = {
      runId: m.runId,
      quarter: m.quarter,
      partition: m.partition,
      worker: deps.workerId,
      firmsOk: res.firmsOk,
      firmsRejected: res.firmsRejected,
      sentences: res.sentences,
      topics: res.topics,
      labels: res.labels,
      firmSeconds,
      wallSeconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      ledger: usageDelta(usage0, runtime.usage()),
      finishedAt: new Date().toISOString(),
    };
    await writeRecord(store, partitionRecordKey(m.runId, m.quarter, m.partition), record);
    return { ok: res.firmsOk, rejected: res.firmsRejected };
  }

  return { handle };
}

/** The record of a partition another delivery or run wrote: its counts, no time (nothing ran now). */
function reusedRecord(m: PartitionMessage, worker: string, manifest: PartitionManifest): PartitionRecord {
  const rows = manifest.rows ?? {};
  return {
    runId: m.runId,
    quarter: m.quarter,
    partition: m.partition,
    worker,
    reused: true,
    firmsOk: Number(manifest.firmsOk ?? 0),
    firmsRejected: Number(manifest.firmsRejected ?? 0),
    sentences: Number(rows.sentences ?? 0),
    topics: Number(rows.topics ?? 0),
    labels: {},
    firmSeconds: [],
    wallSeconds: 0,
    cpuSeconds: 0,
    maxRssBytes: 0,
    ledger: {},
    finishedAt: new Date().toISOString(),
  };
}
