/**
 * The HTTP transport of the client: undici's fetch with a connection pool whose header and body timeouts are the
 * client's own per-attempt deadline. Node's global fetch uses a pool that gives up after 300 s of waiting for
 * headers or for the next body chunk whatever the caller's AbortSignal says, which cut off slow but healthy
 * answers (a long completion on a busy server); with the timeouts set here the caller's deadline governs.
 * fetch and pool come from the same undici package, so they always agree on the dispatcher interface.
 */
import { Agent, fetch as undiciFetch } from 'undici';

/** What the client needs of a fetch: undici's, or a test's wrapper around it. */
export type HttpFetch = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: string;
    signal: AbortSignal;
    dispatcher: Agent;
  },
) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export const httpFetch: HttpFetch = (url, init) => undiciFetch(url, init) as ReturnType<HttpFetch>;

export interface DeadlinePoolOptions {
  /** Deadline of one attempt, ms: the longest wait for response headers, and for each body chunk. */
  timeoutMs: number;
  /** Time to open a connection, ms (undici's default: 10 s). */
  connectTimeoutMs?: number;
}

/** A connection pool that waits for headers and body as long as the deadline, and no longer. */
export function deadlinePool(o: DeadlinePoolOptions): Agent {
  if (!(o.timeoutMs > 0)) throw new Error(`the attempt deadline must be positive (got ${o.timeoutMs} ms)`);
  return new Agent({
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    connectTimeout: o.connectTimeoutMs ?? Math.min(10_000, o.timeoutMs),
  });
}
