/**
 * Enqueueing one quarter of a plan (the producer for the first quarter, the theme worker for each next one):
 * list the quarter's firms, cut them into partitions, record how many in the counters, send each partition's
 * message once. Every partition sent is marked in the counters, so a crashed enqueue re-run sends only the
 * missing ones; the number of partitions recorded first stays, so a re-run never re-cuts a quarter.
 */
import type { RunPlan } from '../counters/counters.js';
import {
  ensureQuarterLayout,
  type LakeStore,
  prunePartitionsFrom,
  type TableName,
  writeListingRejects,
} from '../lake/index.js';
import { encodeMessage, type PartitionMessage } from '../messages/index.js';
import type { TranscriptSource } from '../sources/index.js';
import { partitionCount } from '../sources/index.js';
import { crashPoint } from './crash-points.js';
import type { Fleet } from './open-fleet.js';
import type { PlanSettings } from './plan-settings.js';
import { selectFirms } from './plan-settings.js';
import { sendThemeOnce } from './quarter-flags.js';
import { raiseService } from './raise-service.js';

/** What the firm workers write per partition: the firm stage's tables and its labels (both cut by partition). */
const PARTITION_STAGES: readonly { stage: string; tables: TableName[] }[] = [
  { stage: 'firm', tables: ['firms', 'sentences', 'topics'] },
  { stage: 'sentiment', tables: ['sentence_sentiment'] },
];

export interface EnqueueResult {
  quarter: string;
  partitions: number;
  firms: number;
  /** Partition messages sent now (the rest an earlier attempt sent). */
  sent: number;
  listingRejects: number;
  /** Firm ids named by a `--firms` file that have no call this quarter. */
  missingFirms: number;
}

export interface EnqueueDeps {
  fleet: Fleet;
  store: LakeStore;
  source: TranscriptSource;
  plan: RunPlan;
  log?: (line: string) => void;
  /** The claim owner of the message whose handling enqueues (the theme worker's `themeOwner`); the producer's default is the run's. */
  owner?: string;
}

export function planSettingsOf(plan: RunPlan): PlanSettings {
  return plan.settings as unknown as PlanSettings;
}

export async function enqueueQuarter(d: EnqueueDeps, quarter: string): Promise<EnqueueResult> {
  const { fleet, plan } = d;
  const s = planSettingsOf(plan);
  const listing = await d.source.listFirms(quarter);
  for (const r of listing.rejects) d.log?.(`reject ${r.sourceRef}: ${r.reason}`);
  await writeListingRejects(d.store, quarter, listing.rejects);
  const firms = selectFirms(listing.firms, s.firms);
  const missingFirms = s.firms && 'ids' in s.firms ? s.firms.ids.length - firms.length : 0;
  const n = firms.length === 0 ? 0 : partitionCount(firms.length, s.partitionSize);

  const recorded = await fleet.counters.setExpected(plan.runId, quarter, n, firms.length);
  if (recorded.expected !== n || recorded.firms !== firms.length)
    throw new Error(
      `${quarter}: the listing changed since this run first enqueued it (${recorded.firms} firms in ` +
        `${recorded.expected} partitions then, ${firms.length} now); start a new run (another --run-id)`,
    );
  const before = await fleet.counters.quarterState(plan.runId, quarter);
  if (before.sent.length === 0) {
    // First enqueue of the quarter: parts of another partition size or of partitions beyond this run's go.
    for (const { stage, tables } of PARTITION_STAGES) {
      if (await ensureQuarterLayout(d.store, quarter, stage, tables, s.partitionSize))
        d.log?.(`${stage} ${quarter}: partition size changed to ${s.partitionSize}; earlier parts cleared`);
      await prunePartitionsFrom(d.store, quarter, stage, tables, n);
    }
  }
  const sentBefore = new Set(before.sent);
  let sent = 0;
  for (let p = 0; p < n; p++) {
    if (sentBefore.has(p)) continue;
    const message: PartitionMessage = {
      v: 1,
      type: 'partition',
      runId: plan.runId,
      quarter,
      partition: p,
      partitionSize: s.partitionSize,
      firms: firms.slice(p * s.partitionSize, (p + 1) * s.partitionSize).map((f) => f.firmId),
      source: s.source,
      settingsHash: plan.settingsHash,
    };
    await fleet.partitions.send(encodeMessage(message));
    await fleet.counters.markPartitionSent(plan.runId, quarter, p);
    sent++;
    crashPoint('mid-enqueue');
  }
  if (sent > 0 && fleet.settings.firmWorkerService)
    await raiseService('firm worker', fleet.settings.firmWorkerService, sent, undefined, d.log);
  // A quarter with no firms is complete at once: its (empty) theme step still runs and chains on.
  if (n === 0) await sendThemeOnce(fleet, plan, quarter, d.owner ?? `enqueue:${plan.runId}`, d.log);
  return {
    quarter,
    partitions: n,
    firms: firms.length,
    sent,
    listingRejects: listing.rejects.length,
    missingFirms,
  };
}
