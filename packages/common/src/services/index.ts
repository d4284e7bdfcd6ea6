/** Builds the LLM namers and served embedders from settings (URLs, models, limits, cache, ledger). */
export * from './llm-services.js';
