/** The Counters port and its adapters. */
export {
  type CompletionResult,
  type Counters,
  type FlagState,
  QUARTER_FLAGS,
  type QuarterFlag,
  type QuarterState,
  quarterComplete,
  type RunPlan,
} from './counters.js';
export { DynamoDbCounters, type DynamoDbCountersOptions, planKey, quarterKey } from './dynamodb-counters.js';
export { createCountersTable } from './dynamodb-table.js';
export { SqliteCounters } from './sqlite-counters.js';
