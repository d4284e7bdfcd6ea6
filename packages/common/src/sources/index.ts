/** Transcript sources (ECTSum, Motley-style JSON, JSON lines; Capital IQ under ./capiq), listings, batches. */

export * from './ectsum.js';
export * from './file-names.js';
export * from './file-source.js';
export * from './input-files.js';
export * from './input-upload.js';
export * from './jsonl.js';
export * from './listing-index.js';
export * from './motley-json.js';
export * from './partitions.js';
export * from './prepare-sentences.js';
export * from './registry.js';
export * from './speaker-roles.js';
export * from './types.js';
