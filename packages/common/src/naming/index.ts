/** Topic and theme names: keyword names, and LLM namers with validated, cached, budgeted batches. */
export * from './firm-terms.js';
export * from './inference-namers.js';
export * from './keyword-fallback.js';
export * from './keywords.js';
export * from './llm-batch.js';
export * from './llm-prompts.js';
export * from './llm-theme-namer.js';
export * from './llm-topic-namer.js';
export * from './theme-keywords.js';
export * from './types.js';
