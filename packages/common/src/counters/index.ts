/** The Counters port and its adapters. */
export * from './counters.js';
export * from './dynamodb-counters.js';
export * from './dynamodb-table.js';
