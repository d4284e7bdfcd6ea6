/** Generic OpenAI-compatible client: chat with JSON-schema outputs, embeddings, limits, retries, cache, ledger. */
export {
  cacheKey,
  canonicalJson,
  MemoryResponseCache,
  type ResponseCache,
  StoreResponseCache,
  type TextStore,
} from './cache.js';
export {
  type CallContext,
  type ChatJsonClient,
  type ChatMessage,
  type ChatParams,
  type ChatResult,
  type JsonRequest,
  type JsonResult,
  LlmClient,
  type LlmClientOptions,
  normalizeBaseUrl,
  type Usage,
} from './client.js';
export {
  BudgetExceededError,
  isRetryable,
  isRetryableStatus,
  LlmBadResponseError,
  LlmError,
  LlmHttpError,
  LlmNetworkError,
  LlmTimeoutError,
  StructuredOutputError,
} from './errors.js';
export { estimateMessagesTokens, estimateTokens } from './estimate.js';
export { type DeadlinePoolOptions, deadlinePool, type HttpFetch, httpFetch } from './http.js';
export {
  CUT_OFF_PROBLEM,
  extractJson,
  jsonSchemaOf,
  type Parsed,
  recoverCutOffJson,
  stripThinking,
  type Validated,
  validateReply,
} from './json-output.js';
export {
  type Budget,
  type LedgerTotals,
  TokenLedger,
  type TokenPrices,
  type UsageCounts,
  type UsageEntry,
} from './ledger.js';
export { DEFAULT_LIMITS, type LimiterOptions, RequestLimiter } from './limiter.js';
export {
  backoffDelay,
  DEFAULT_RETRY,
  parseRetryAfter,
  type RetryEvent,
  type RetryPolicy,
  sleep,
  withRetries,
} from './retry.js';
