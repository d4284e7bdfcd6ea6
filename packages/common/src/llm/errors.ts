/** Errors of the chat/embeddings client. Messages carry the endpoint and status, never credentials. */

export class LlmError extends Error {
  override name = 'LlmError';
}

/** A non-2xx answer. `retryAfterMs` comes from Retry-After / retry-after-ms when the server sent one. */
export class LlmHttpError extends LlmError {
  override name = 'LlmHttpError';
  constructor(
    readonly status: number,
    readonly endpoint: string,
    readonly bodySnippet: string,
    readonly retryAfterMs: number | null,
  ) {
    super(`${endpoint} answered HTTP ${status}${bodySnippet ? `: ${bodySnippet}` : ''}`);
  }
}

/** One attempt ran past its deadline. */
export class LlmTimeoutError extends LlmError {
  override name = 'LlmTimeoutError';
  constructor(
    readonly endpoint: string,
    readonly timeoutMs: number,
  ) {
    super(`${endpoint} gave no answer within ${timeoutMs} ms`);
  }
}

/** The connection failed (refused, reset, DNS). */
export class LlmNetworkError extends LlmError {
  override name = 'LlmNetworkError';
}

/** The answer was 2xx but not the expected shape (not JSON, no choices, no vectors). */
export class LlmBadResponseError extends LlmError {
  override name = 'LlmBadResponseError';
}

/** The token ledger's budget cap is reached: no new requests are sent. */
export class BudgetExceededError extends LlmError {
  override name = 'BudgetExceededError';
}

/** The model's answer failed validation even after the repair attempt. */
export class StructuredOutputError extends LlmError {
  override name = 'StructuredOutputError';
  constructor(
    message: string,
    /** The last parsed value, when the answer was JSON at all (for salvaging valid parts). */
    readonly lastValue: unknown,
    /** Every parsed value in order (first answer, then the repair), for salvaging. */
    readonly values: unknown[],
  ) {
    super(message);
  }
}

/** Statuses worth another attempt: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof LlmHttpError) return isRetryableStatus(err.status);
  return (
    err instanceof LlmTimeoutError || err instanceof LlmNetworkError || err instanceof LlmBadResponseError
  );
}
