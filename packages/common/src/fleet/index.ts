/** The fleet's flow without a coordinator: backends, plans, quarter enqueue, the guarded handoffs, metrics lines. */

export { type AcceptOptions, acceptMessage } from './accept-message.js';
export { type CrashPoint, crashPoint } from './crash-points.js';
export { type EnqueueDeps, type EnqueueResult, enqueueQuarter, planSettingsOf } from './enqueue-quarter.js';
export { eventLine, type FleetEvent, METRICS_NAMESPACE, parseEventLine, workerLog } from './metrics-log.js';
export {
  consumeTiming,
  type Fleet,
  type FleetBackend,
  type FleetSettings,
  fleetSettingsFrom,
  heartbeatFor,
  LOCAL_VISIBILITY_SECONDS,
  localFleetDatabase,
  openFleet,
  PARTITIONS_QUEUE,
  THEMES_QUEUE,
} from './open-fleet.js';
export {
  type FirmSelection,
  hashOf,
  type PlanSettings,
  selectFirms,
  settingsHash,
  sourceSpecOf,
} from './plan-settings.js';
export {
  completePartition,
  finishQuarter,
  nextQuarterOf,
  type PartitionCompletion,
  partitionOwner,
  sendThemeOnce,
  themeOwner,
} from './quarter-flags.js';
export {
  type PartitionRecord,
  partitionRecordKey,
  readRunRecords,
  type ThemeRecord,
  themeRecordKey,
  writeRecord,
} from './run-records.js';
export { usageDelta, type WorkerRuntime, type WorkerServices, workerRuntime } from './worker-runtime.js';
