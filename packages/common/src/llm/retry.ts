/** Backoff with jitter, Retry-After parsing and the retry loop shared by chat and embeddings requests. */
import { isRetryable, LlmHttpError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is base·2^(n−1), capped at maxDelayMs, then jittered to 50–100 %. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the request fails instead. */
  maxRetryAfterMs: number;
  /** No new attempt starts once this much time has passed since the first one. */
  deadlineMs: number;
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
  deadlineMs: 300_000,
  random: Math.random,
};

/** Milliseconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date); null when absent or unreadable. */
export function parseRetryAfter(
  headers: { get(name: string): string | null },
  now = Date.now(),
): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const v = Number(ms);
    if (Number.isFinite(v) && v >= 0) return v;
  }
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return null;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return secs >= 0 ? secs * 1000 : null;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function backoffDelay(retry: number, p: RetryPolicy): number {
  const ceiling = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (retry - 1));
  return ceiling * (0.5 + 0.5 * p.random());
}

export interface RetryEvent {
  attempt: number;
  error: unknown;
  delayMs: number;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, attempts run out, or the deadline would pass.
 * A Retry-After from the server is honoured as the wait (never shorter than the server asked).
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  p: RetryPolicy,
  onRetry?: (e: RetryEvent) => void,
): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n >= p.maxAttempts || !isRetryable(err)) throw err;
      const retryAfter = err instanceof LlmHttpError ? err.retryAfterMs : null;
      if (retryAfter !== null && retryAfter > p.maxRetryAfterMs) throw err;
      const delayMs = retryAfter ?? backoffDelay(n, p);
      if (Date.now() - started + delayMs > p.deadlineMs) throw err;
      onRetry?.({ attempt: n, error: err, delayMs });
      await sleep(delayMs);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
