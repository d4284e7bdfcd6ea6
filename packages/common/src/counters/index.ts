/** The Counters port and its adapters. */
export * from './counters.js';
export * from './sqlite-counters.js';
