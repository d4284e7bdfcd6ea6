/**
 * Request pacing: requests per minute (evenly spaced starts, so no window of any length runs over the rate),
 * tokens per minute (a token bucket holding 10 s of tokens), and a bound on requests in flight.
 * Built on bottleneck; one RequestLimiter is shared by every caller of one service.
 */
import Bottleneck from 'bottleneck';

export interface LimiterOptions {
  requestsPerMinute: number;
  tokensPerMinute: number;
  maxConcurrent: number;
}

export const DEFAULT_LIMITS: LimiterOptions = {
  requestsPerMinute: 600,
  tokensPerMinute: 2_000_000,
  maxConcurrent: 16,
};

export class RequestLimiter {
  private readonly requests: Bottleneck;
  private readonly tokens: Bottleneck;
  /** Largest weight the token bucket can ever hold; heavier requests are clamped to it. */
  readonly tokenBucketSize: number;

  constructor(readonly options: LimiterOptions) {
    for (const [k, v] of Object.entries(options))
      if (!(Number.isFinite(v) && v > 0)) throw new Error(`limiter ${k} must be a positive number, got ${v}`);
    this.requests = new Bottleneck({
      maxConcurrent: Math.floor(options.maxConcurrent),
      minTime: 60_000 / options.requestsPerMinute,
    });
    this.tokenBucketSize = Math.max(1, Math.ceil(options.tokensPerMinute / 6));
    const perSecond = options.tokensPerMinute / 60;
    this.tokens = new Bottleneck({
      reservoir: this.tokenBucketSize,
      reservoirIncreaseInterval: 250,
      reservoirIncreaseAmount: Math.max(1, Math.round(perSecond / 4)),
      reservoirIncreaseMaximum: this.tokenBucketSize,
    });
  }

  /** Runs `fn` once a request slot and `estimatedTokens` of token budget are free. */
  schedule<T>(estimatedTokens: number, fn: () => Promise<T>): Promise<T> {
    const weight = Math.min(this.tokenBucketSize, Math.max(1, Math.ceil(estimatedTokens)));
    return this.tokens.schedule({ weight }, () => this.requests.schedule(fn));
  }

  /** Requests waiting or running. */
  pending(): number {
    const c = this.requests.counts();
    return (c.QUEUED ?? 0) + (c.RUNNING ?? 0) + (c.EXECUTING ?? 0) + this.tokens.queued();
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.tokens.stop({ dropWaitingJobs: true }),
      this.requests.stop({ dropWaitingJobs: true }),
    ]);
  }
}
