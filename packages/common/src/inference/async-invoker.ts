/**
 * SageMaker Asynchronous Inference as a request/response call: the request JSON goes to S3 under a key derived
 * from its content, InvokeEndpointAsync queues it with an InferenceId and output Filename derived from the same
 * hash, and the answer is awaited by polling S3 (HEAD on the output and failure objects, with backoff).
 *
 * Why polling and not the endpoint's SNS topics: one SNS→SQS queue shared by the fleet would hand a result to
 * whichever worker receives it, not to the one waiting for it. Why deterministic names: InferenceId is no
 * deduplication key, so a redelivered partition message would pay twice; with the output at a name fixed by the
 * request, the retry HEADs it first and reads the earlier answer instead of invoking again, and a marker written
 * after each accepted invocation lets a retry wait for an answer still queued (a cold start) instead of paying
 * for it a second time.
 *
 * Each sub-request is its own invocation by default (a firm's embeddings, its labels, its names: a name that
 * depends only on what that firm asks, so a redelivered firm finds its own answers whatever else was in flight).
 * `coalesceMs` > 0 groups sub-requests submitted within that window (fewer invocations, but a name that depends
 * on timing). `bottleneck` bounds the invocations in flight from this process: `maxInFlight`, or, with the
 * endpoint's signals, ⌈MaxConcurrentInvocationsPerInstance × max(1, instances) ÷ running tasks⌉.
 *
 * Scale from zero: while the signals say the endpoint has no instance, a wait keeps going (the worker keeps its
 * partition, its heartbeat extends the visibility) and that time does not count towards the invocation's
 * deadline; only past `capacityWaitMs` without capacity does it end with EndpointScalingError (release).
 */
import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import Bottleneck from 'bottleneck';
import { canonicalJson } from '../llm/cache.js';
import { type EndpointSignals, inFlightCap } from './endpoint-signals.js';
import { EndpointScalingError, InferenceFailedError, InferenceTimeoutError } from './errors.js';
import {
  INFERENCE_PREFIXES,
  INVOCATION_VERSION,
  type InferenceKind,
  type InvocationRequest,
  invocationResponseSchema,
  type SubRequest,
  type SubResponse,
} from './schema.js';

export interface WaitEvent {
  inferenceId: string;
  waitedMs: number;
  /** Invocations of this process still waiting. */
  inFlight: number;
  /** Of `waitedMs`, the time the endpoint had no instance (not counted towards the deadline). */
  withoutCapacityMs: number;
}

export interface AsyncInvokerOptions {
  endpointName: string;
  bucket: string;
  runtime: SageMakerRuntimeClient;
  s3: S3Client;
  prefixes?: Partial<typeof INFERENCE_PREFIXES>;
  /** Invocations in flight from this process (bottleneck's maxConcurrent) without signals. Default 8. */
  maxInFlight?: number;
  /** Sub-requests submitted within this window share an invocation. Default 0: each is its own invocation. */
  coalesceMs?: number;
  /** Sub-requests per invocation at most. Default 64. */
  maxRequestsPerInvocation?: number;
  /** Passed to InvokeEndpointAsync (the container's time for one invocation). Default 900. */
  invocationTimeoutSeconds?: number;
  /** How long the queue may hold the request (RequestTTLSeconds). Default 6 h, SageMaker's. */
  requestTtlSeconds?: number;
  /** The endpoint's worst cold start, ms (scale-from-zero: instance, image pull, three model loads). Default 15 min. */
  coldStartMs?: number;
  /** Give up waiting after this long. Default coldStartMs + invocationTimeoutSeconds (never less). */
  deadlineMs?: number;
  /**
   * The endpoint's capacity signals (DescribeEndpoint's instance count, its MaxConcurrentInvocationsPerInstance,
   * the running tasks sharing it: ./endpoint-signals.ts). Read at most every `signalsEveryMs`, shared by all
   * waits; they set the in-flight cap and tell a cold start from a slow answer. Without them nothing is known:
   * a wait runs to its deadline (which includes `coldStartMs`).
   */
  signals?: () => Promise<EndpointSignals>;
  /** Default 30 s. */
  signalsEveryMs?: number;
  /**
   * How long a wait keeps going while the endpoint has no instance (the worker keeps its partition) before it
   * ends with EndpointScalingError (release). Default 30 min (two worst cold starts); null: never.
   */
  capacityWaitMs?: number | null;
  /** Aborting it ends every wait with EndpointScalingError (the worker's own release, e.g. on SIGTERM). */
  releaseSignal?: AbortSignal;
  /** Called on every poll of every waiting invocation (the partition's visibility heartbeat hangs here). */
  onWait?: (e: WaitEvent) => void;
  poll?: { firstMs?: number; maxMs?: number; factor?: number };
}

export interface InvokerStats {
  /** InvokeEndpointAsync calls that were accepted. */
  invocations: number;
  /** Answers found at their deterministic name before invoking (a retry or another worker paid for them). */
  reused: number;
  subRequests: number;
  failures: number;
  /** InvokeEndpointAsync attempts beyond the first (throttling retried by the SDK). */
  retries: number;
  polls: number;
  /** Waits on an invocation an earlier attempt made and that is still queued (its marker found; not paid again). */
  joined: number;
  /** Reads of the endpoint's signals. */
  signalReads: number;
  /** The in-flight cap now (bottleneck's maxConcurrent). */
  inFlightCap: number;
}

interface Pending {
  req: Omit<SubRequest, 'id'>;
  resolve: (r: SubResponse & { reused: boolean }) => void;
  reject: (err: unknown) => void;
}

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

/** `s3://bucket/key` → key, when in our bucket. */
function keyOf(location: string | undefined, bucket: string): string | null {
  const m = location ? /^s3:\/\/([^/]+)\/(.+)$/.exec(location) : null;
  return m && m[1] === bucket ? m[2] : null;
}

export class AsyncInvoker {
  readonly stats: InvokerStats = {
    invocations: 0,
    reused: 0,
    subRequests: 0,
    failures: 0,
    retries: 0,
    polls: 0,
    joined: 0,
    signalReads: 0,
    inFlightCap: 0,
  };
  private readonly o: AsyncInvokerOptions;
  private readonly prefixes: typeof INFERENCE_PREFIXES;
  private readonly limiter: Bottleneck;
  private readonly running = new Map<string, Promise<{ responses: SubResponse[]; reused: boolean }>>();
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private waiting = 0;
  private signalsRead: { at: number; value: EndpointSignals | null } | null = null;
  private signalsReading: Promise<EndpointSignals | null> | null = null;

  constructor(o: AsyncInvokerOptions) {
    this.o = o;
    this.prefixes = { ...INFERENCE_PREFIXES, ...o.prefixes };
    this.stats.inFlightCap = o.maxInFlight ?? 8;
    this.limiter = new Bottleneck({ maxConcurrent: this.stats.inFlightCap });
  }

  /**
   * The endpoint's signals, read at most every `signalsEveryMs` (one read shared by all callers); null without
   * signals. A failed read keeps the last value (none yet: null) until the next read is due. Each read resets
   * the in-flight cap.
   */
  async endpointSignals(): Promise<EndpointSignals | null> {
    if (!this.o.signals) return null;
    const last = this.signalsRead;
    if (last && Date.now() - last.at < (this.o.signalsEveryMs ?? 30_000)) return last.value;
    this.signalsReading ??= this.o
      .signals()
      .then((value) => {
        this.stats.signalReads++;
        this.signalsRead = { at: Date.now(), value };
        if (value.perInstance !== undefined) {
          const cap = inFlightCap(value.perInstance, value.instances, value.tasks);
          if (cap !== this.stats.inFlightCap) {
            this.stats.inFlightCap = cap;
            this.limiter.updateSettings({ maxConcurrent: cap });
          }
        }
        return value;
      })
      .catch(() => {
        const value = this.signalsRead?.value ?? null;
        this.signalsRead = { at: Date.now(), value };
        return value;
      })
      .finally(() => {
        this.signalsReading = null;
      });
    return this.signalsReading;
  }

  private get coldStartMs() {
    return this.o.coldStartMs ?? 900_000;
  }

  /** The longest a caller may wait for one sub-request (for the HTTP client's own attempt deadline). */
  get deadlineMs(): number {
    const floor = this.coldStartMs + (this.o.invocationTimeoutSeconds ?? 900) * 1000;
    return Math.max(this.o.deadlineMs ?? floor, 1);
  }

  /** Queues one sub-request; it leaves with the others submitted in the same window. */
  submit(kind: InferenceKind, body: Record<string, unknown>): Promise<SubResponse & { reused: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { kind, body }, resolve, reject });
      const window = this.o.coalesceMs ?? 0;
      if (window <= 0 || this.queue.length >= (this.o.maxRequestsPerInvocation ?? 64)) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), window);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const window = this.o.coalesceMs ?? 0;
    const batch = this.queue.splice(0, window <= 0 ? 1 : (this.o.maxRequestsPerInvocation ?? 64));
    if (batch.length === 0) return;
    if (this.queue.length > 0) this.timer = setTimeout(() => this.flush(), Math.max(0, window));
    // Ids are positions: the payload (and so its hash) depends only on what is asked, in order.
    const payload: InvocationRequest = {
      version: INVOCATION_VERSION,
      requests: batch.map((p, i) => ({ id: `r${i}`, ...p.req })),
    };
    this.invoke(payload).then(
      ({ responses, reused }) => {
        const byId = new Map(responses.map((r) => [r.id, r]));
        batch.forEach((p, i) => {
          const r = byId.get(`r${i}`);
          if (r && r.kind === p.req.kind) p.resolve({ ...r, reused });
          else
            p.reject(
              new InferenceFailedError(
                `${this.o.endpointName}: the answer has no ${p.req.kind} response for request r${i}`,
              ),
            );
        });
      },
      (err) => {
        for (const p of batch) p.reject(err);
      },
    );
  }

  /** One invocation; identical payloads in flight share it. */
  invoke(payload: InvocationRequest): Promise<{ responses: SubResponse[]; reused: boolean }> {
    const text = canonicalJson(payload);
    // The endpoint is part of the name: the same request to another endpoint (other models) is another answer.
    const hash = createHash('sha256').update(`${this.o.endpointName}\n${text}`).digest('hex');
    const running = this.running.get(hash);
    if (running) return running;
    // The cap follows the signals: read them (at most every signalsEveryMs) before taking a slot.
    const p = this.endpointSignals()
      .then(() => this.limiter.schedule(() => this.invokeOnce(hash, text, payload.requests.length)))
      .finally(() => this.running.delete(hash));
    this.running.set(hash, p);
    return p;
  }

  keysFor(hash: string) {
    return {
      input: `${this.prefixes.requests}${hash}.json`,
      /** Written once InvokeEndpointAsync accepted the request: a retry waits for it instead of paying again. */
      invoked: `${this.prefixes.requests}${hash}.invoked`,
      output: `${this.prefixes.responses}${hash}.out`,
      failure: `${this.prefixes.failures}${hash}-error.out`,
    };
  }

  /** The object's last-modified time, or null when there is none. */
  private async head(key: string): Promise<Date | null> {
    try {
      const r = await this.o.s3.send(new HeadObjectCommand({ Bucket: this.o.bucket, Key: key }));
      return r.LastModified ?? new Date();
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== null;
  }

  private async read(key: string): Promise<string> {
    const r = await this.o.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }));
    return (await r.Body?.transformToString('utf8')) ?? '';
  }

  /** Reads and parses an answer; a body that is not JSON is read again twice (a store still writing it). */
  private async readAnswer(key: string, where: string, n: number): Promise<SubResponse[]> {
    let text = '';
    for (let attempt = 1; ; attempt++) {
      text = await this.read(key);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        if (attempt < 3) {
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        const start = text.slice(0, 80).replace(/\s+/g, ' ');
        throw new InferenceFailedError(
          `${this.o.endpointName}: the answer at ${where} is not JSON (${text.length} chars, starting "${start}")`,
        );
      }
      return this.parse(json, where, n);
    }
  }

  private parse(json: unknown, where: string, n: number): SubResponse[] {
    const r = invocationResponseSchema.safeParse(json);
    if (!r.success)
      throw new InferenceFailedError(
        `${this.o.endpointName}: the answer at ${where} does not follow the invocation schema: ${r.error.issues[0]?.message}`,
      );
    if (r.data.responses.length !== n)
      throw new InferenceFailedError(
        `${this.o.endpointName}: the answer at ${where} has ${r.data.responses.length} responses for ${n} requests`,
      );
    return r.data.responses;
  }

  private async invokeOnce(hash: string, text: string, n: number) {
    this.stats.subRequests += n;
    const keys = this.keysFor(hash);
    const uri = (k: string) => `s3://${this.o.bucket}/${k}`;
    // A redelivered message (or another worker) may have paid for this answer already.
    if (await this.exists(keys.output)) {
      this.stats.reused++;
      return { responses: await this.readAnswer(keys.output, uri(keys.output), n), reused: true };
    }
    // An earlier failure is not the answer to this attempt: clear it so the wait below sees only fresh results.
    const failed = await this.exists(keys.failure);
    if (failed) await this.o.s3.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: keys.failure }));
    // An earlier attempt's invocation still queued (a cold start, then a crash or a release): wait for its answer.
    const invokedAt = failed ? null : await this.head(keys.invoked);
    const ttlMs = (this.o.requestTtlSeconds ?? 21_600) * 1000;
    if (invokedAt && Date.now() - invokedAt.getTime() < ttlMs) {
      this.stats.joined++;
      return this.answerOf(hash, keys.output, keys.failure, n);
    }
    await this.o.s3.send(
      new PutObjectCommand({
        Bucket: this.o.bucket,
        Key: keys.input,
        Body: text,
        ContentType: 'application/json',
      }),
    );
    const res = await this.o.runtime.send(
      new InvokeEndpointAsyncCommand({
        EndpointName: this.o.endpointName,
        InputLocation: uri(keys.input),
        ContentType: 'application/json',
        Accept: 'application/json',
        InferenceId: hash,
        Filename: keys.output.slice(this.prefixes.responses.length),
        InvocationTimeoutSeconds: this.o.invocationTimeoutSeconds ?? 900,
        RequestTTLSeconds: this.o.requestTtlSeconds ?? 21_600,
      }),
    );
    this.stats.invocations++;
    this.stats.retries += Math.max(0, (res.$metadata.attempts ?? 1) - 1);
    await this.o.s3.send(
      new PutObjectCommand({ Bucket: this.o.bucket, Key: keys.invoked, Body: new Date().toISOString() }),
    );
    const outputKey = keyOf(res.OutputLocation, this.o.bucket) ?? keys.output;
    const failureKey = keyOf(res.FailureLocation, this.o.bucket) ?? keys.failure;
    return this.answerOf(hash, outputKey, failureKey, n);
  }

  private async answerOf(hash: string, outputKey: string, failureKey: string, n: number) {
    const uri = (k: string) => `s3://${this.o.bucket}/${k}`;
    const answer = await this.wait(hash, outputKey, failureKey);
    if (answer.failed) {
      this.stats.failures++;
      const snippet = answer.text.replace(/\s+/g, ' ').slice(0, 300);
      throw new InferenceFailedError(
        `${this.o.endpointName}: invocation ${hash.slice(0, 12)} failed: ${snippet}`,
      );
    }
    return { responses: await this.readAnswer(outputKey, uri(outputKey), n), reused: false };
  }

  private async wait(hash: string, outputKey: string, failureKey: string) {
    const started = Date.now();
    const first = this.o.poll?.firstMs ?? 200;
    const max = this.o.poll?.maxMs ?? 5_000;
    const factor = this.o.poll?.factor ?? 1.5;
    const capacityWait = this.o.capacityWaitMs === undefined ? 1_800_000 : this.o.capacityWaitMs;
    let delay = first;
    let last = started;
    let withoutCapacityMs = 0;
    this.waiting++;
    try {
      for (;;) {
        if (this.o.releaseSignal?.aborted)
          throw new EndpointScalingError(
            `${this.o.endpointName}: released while waiting`,
            Date.now() - started,
          );
        this.stats.polls++;
        if (await this.exists(outputKey)) return { failed: false, text: '' };
        if (await this.exists(failureKey)) return { failed: true, text: await this.read(failureKey) };
        const signals = await this.endpointSignals();
        const now = Date.now();
        // Time at zero instances is the cold start's, not the invocation's: it does not count towards the deadline.
        if (signals && signals.instances === 0) withoutCapacityMs += now - last;
        last = now;
        const waitedMs = now - started;
        this.o.onWait?.({ inferenceId: hash, waitedMs, inFlight: this.waiting, withoutCapacityMs });
        if (capacityWait !== null && withoutCapacityMs >= capacityWait)
          throw new EndpointScalingError(
            `${this.o.endpointName}: no instance for ${Math.round(withoutCapacityMs / 1000)} s (past inferenceCapacityWaitSeconds); release the partition`,
            waitedMs,
          );
        const counted = waitedMs - withoutCapacityMs;
        if (counted >= this.deadlineMs)
          throw new InferenceTimeoutError(
            `${this.o.endpointName}: no answer to invocation ${hash.slice(0, 12)} within ${this.deadlineMs} ms`,
          );
        await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(1, this.deadlineMs - counted))));
        delay = Math.min(max, delay * factor);
      }
    } finally {
      this.waiting--;
    }
  }

  async close(): Promise<void> {
    if (this.timer) this.flush();
    await this.limiter.stop({ dropWaitingJobs: false });
  }
}
