/**
 * How the HTTP classifier talks to a service: limits, retries and a response cache behind one small
 * interface, so the project's shared LLM client (limiter, retries honouring Retry-After, prompt-hash
 * cache) can stand in for the local implementation below without touching the classifier.
 */
import Bottleneck from 'bottleneck';

/** A failure worth retrying (HTTP 429/5xx, a dropped connection, a timeout). */
export class RetryableError extends Error {
  constructor(
    message: string,
    /** The server's Retry-After, in milliseconds, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface ServiceCalls {
  /** Runs one request under the limits; retries RetryableError, then throws the last error. */
  send<T>(attempt: () => Promise<T>): Promise<T>;
  /** A cached answer for `key` (a hex sha256 digest), or undefined. Async so a persistent cache fits. */
  cached<T>(key: string): Promise<T | undefined>;
  remember<T>(key: string, value: T): Promise<void>;
}

export interface LocalServiceCallsOptions {
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Requests per minute; 0 for no limit (default 0). */
  requestsPerMinute?: number;
  /** Retries after the first attempt (default 4). */
  maxRetries?: number;
  /** First backoff delay; doubles each retry, with jitter (default 500 ms). */
  baseDelayMs?: number;
  /** Longest wait between attempts, Retry-After included (default 30 s). */
  maxDelayMs?: number;
  /** Entries kept in the in-memory cache (default 100,000; 0 disables it). */
  cacheEntries?: number;
  /** Waits between attempts; tests pass a recorder. */
  sleep?: (ms: number) => Promise<void>;
}

export class LocalServiceCalls implements ServiceCalls {
  private readonly limiter: Bottleneck;
  private readonly cache = new Map<string, unknown>();
  private readonly o: Required<Omit<LocalServiceCallsOptions, 'sleep'>> & {
    sleep: (ms: number) => Promise<void>;
  };
  /** Attempts made and retries taken, for logs and tests. */
  readonly stats = { attempts: 0, retries: 0, cacheHits: 0 };

  constructor(opts: LocalServiceCallsOptions = {}) {
    this.o = {
      concurrency: opts.concurrency ?? 4,
      requestsPerMinute: opts.requestsPerMinute ?? 0,
      maxRetries: opts.maxRetries ?? 4,
      baseDelayMs: opts.baseDelayMs ?? 500,
      maxDelayMs: opts.maxDelayMs ?? 30_000,
      cacheEntries: opts.cacheEntries ?? 100_000,
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    };
    this.limiter = new Bottleneck({
      maxConcurrent: this.o.concurrency,
      minTime: this.o.requestsPerMinute > 0 ? Math.ceil(60_000 / this.o.requestsPerMinute) : 0,
    });
  }

  async send<T>(attempt: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        this.stats.attempts++;
        return await this.limiter.schedule(attempt);
      } catch (err) {
        if (!(err instanceof RetryableError) || retry >= this.o.maxRetries) throw err;
        this.stats.retries++;
        const backoff = this.o.baseDelayMs * 2 ** retry * (0.75 + Math.random() / 2);
        await this.o.sleep(Math.min(this.o.maxDelayMs, err.retryAfterMs ?? backoff));
      }
    }
  }

  async cached<T>(key: string): Promise<T | undefined> {
    const v = this.cache.get(key) as T | undefined;
    if (v !== undefined) this.stats.cacheHits++;
    return v;
  }

  async remember<T>(key: string, value: T): Promise<void> {
    if (this.o.cacheEntries <= 0) return;
    if (this.cache.size >= this.o.cacheEntries) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, value);
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const secs = Number(header.trim());
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
