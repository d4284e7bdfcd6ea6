/**
 * Client for an OpenAI-compatible service (vLLM, text-embeddings-inference, llama.cpp's server):
 * `/chat/completions` with JSON-schema outputs and `/embeddings`, behind one limiter, retry policy,
 * response cache and token ledger. The API key is sent as a bearer token and appears nowhere else.
 */
import type { z } from 'zod';
import { cacheKey, type ResponseCache } from './cache.js';
import {
  BudgetExceededError,
  LlmBadResponseError,
  LlmError,
  LlmHttpError,
  LlmNetworkError,
  LlmTimeoutError,
  StructuredOutputError,
} from './errors.js';
import { estimateMessagesTokens, estimateTokens } from './estimate.js';
import { deadlinePool, type HttpFetch, httpFetch } from './http.js';
import { jsonSchemaOf, stripThinking, validateReply } from './json-output.js';
import { TokenLedger } from './ledger.js';
import { DEFAULT_LIMITS, type LimiterOptions, RequestLimiter } from './limiter.js';
import { DEFAULT_RETRY, parseRetryAfter, type RetryEvent, type RetryPolicy, withRetries } from './retry.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatParams {
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  topP?: number;
}

/** Where the ledger books a call: a stage and, optionally, the unit it was made for. */
export interface CallContext {
  stage: string;
  scope?: string | null;
}

export interface LlmClientOptions {
  /** Service root, e.g. `http://gpu:8000/v1`; `/v1` is appended when the path has no version segment. */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer`; take it from the environment. */
  apiKey?: string;
  limits?: Partial<LimiterOptions>;
  /** A limiter shared with other clients of the same service. */
  limiter?: RequestLimiter;
  retry?: Partial<RetryPolicy>;
  /** Deadline of one attempt (headers and body), ms; it also sets the connection pool's own timeouts. */
  timeoutMs?: number;
  /** Extra `chat_template_kwargs`; the default switches Qwen3 thinking off. null sends none. */
  chatTemplateKwargs?: Record<string, unknown> | null;
  cache?: ResponseCache | null;
  ledger?: TokenLedger;
  defaultParams?: ChatParams;
  onRetry?: (e: RetryEvent & { endpoint: string }) => void;
  /** The transport (default: undici's fetch); a wrapper must pass `init.dispatcher` on to undici. */
  fetch?: HttpFetch;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cachedPromptTokens: number;
}

export interface ChatResult {
  content: string;
  finishReason: string | null;
  usage: Usage;
  fromCache: boolean;
}

export interface JsonRequest<T> extends CallContext {
  messages: ChatMessage[];
  schema: z.ZodType<T>;
  /** Name of the schema in `response_format` (letters, digits, _ and -). */
  schemaName: string;
  /** Sent as the response_format schema; derived from `schema` when absent. */
  jsonSchema?: Record<string, unknown>;
  /** Problems beyond the schema (wrong ids, forbidden words); any problem triggers the repair attempt. */
  check?: (value: T) => string[];
  params?: ChatParams;
  /**
   * Whether an invalid answer gets the generic repair request (the conversation, the answer, its problems).
   * Default true; false for callers that repair more cheaply themselves from the parsed values of the error.
   */
  repair?: boolean;
}

export interface JsonResult<T> {
  value: T;
  /** True when the first answer failed validation and the repair answer was used. */
  repaired: boolean;
  fromCache: boolean;
}

interface CacheEntry {
  v: 1;
  content?: string;
  /** A JSON answer that stayed invalid after its repair: replayed as the same error, with the same values. */
  rejected?: { message: string; values: unknown[] };
  usage?: Usage;
  dim?: number;
  n?: number;
  f32?: string;
}

const SNIPPET_CHARS = 200;

export function normalizeBaseUrl(url: string): string {
  const u = new URL(url);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = /\/v\d+$/.test(path) ? path : `${path}/v1`;
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

/** The URL without credentials, for messages. */
function publicEndpoint(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

/** What the namers need of a client: schema-constrained chat (an LlmClient, or the Inference port's chat). */
export interface ChatJsonClient {
  chatJson<T>(req: JsonRequest<T>): Promise<JsonResult<T>>;
}

export class LlmClient implements ChatJsonClient {
  readonly model: string;
  readonly baseUrl: string;
  readonly ledger: TokenLedger;
  readonly limiter: RequestLimiter;
  private readonly apiKey: string | undefined;
  private readonly retry: RetryPolicy;
  /** Deadline of one attempt, ms. */
  readonly timeoutMs: number;
  /** Connections whose header and body timeouts are `timeoutMs` (not undici's default 300 s). */
  private readonly pool: ReturnType<typeof deadlinePool>;
  private readonly chatTemplateKwargs: Record<string, unknown> | null;
  private readonly cache: ResponseCache | null;
  private readonly defaults: ChatParams;
  private readonly fetchImpl: HttpFetch;
  private readonly onRetry?: LlmClientOptions['onRetry'];
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly ownsLimiter: boolean;

  constructor(o: LlmClientOptions) {
    this.baseUrl = normalizeBaseUrl(o.baseUrl);
    if (!o.model) throw new Error('LLM client needs a model id');
    this.model = o.model;
    this.apiKey = o.apiKey;
    this.ownsLimiter = !o.limiter;
    this.limiter = o.limiter ?? new RequestLimiter({ ...DEFAULT_LIMITS, ...o.limits });
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.timeoutMs = o.timeoutMs ?? 120_000;
    this.pool = deadlinePool({ timeoutMs: this.timeoutMs });
    this.chatTemplateKwargs =
      o.chatTemplateKwargs === undefined ? { enable_thinking: false } : o.chatTemplateKwargs;
    this.cache = o.cache ?? null;
    this.ledger = o.ledger ?? new TokenLedger();
    this.defaults = { temperature: 0, ...o.defaultParams };
    this.fetchImpl = o.fetch ?? httpFetch;
    this.onRetry = o.onRetry;
  }

  private chatBody(messages: readonly ChatMessage[], params: ChatParams, responseFormat?: unknown) {
    const p = { ...this.defaults, ...params };
    const body: Record<string, unknown> = { model: this.model, messages };
    if (p.temperature !== undefined) body.temperature = p.temperature;
    if (p.topP !== undefined) body.top_p = p.topP;
    if (p.maxTokens !== undefined) body.max_tokens = p.maxTokens;
    if (p.seed !== undefined) body.seed = p.seed;
    if (responseFormat) body.response_format = responseFormat;
    if (this.chatTemplateKwargs) body.chat_template_kwargs = this.chatTemplateKwargs;
    return body;
  }

  /** One logical request: budget check, then attempts through the limiter with retries. */
  private async post(
    path: string,
    body: unknown,
    ctx: CallContext,
    estimatedTokens: number,
  ): Promise<unknown> {
    const refusal = this.ledger.budgetRefusal(estimatedTokens, ctx.stage);
    if (refusal) throw new BudgetExceededError(refusal);
    const url = `${this.baseUrl}${path}`;
    const endpoint = publicEndpoint(url);
    const payload = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    return withRetries(
      () =>
        this.limiter.schedule(estimatedTokens, async () => {
          try {
            return await this.attempt(url, endpoint, headers, payload);
          } catch (err) {
            this.ledger.record({ stage: ctx.stage, scope: ctx.scope, requests: 1, failedRequests: 1 });
            throw err;
          }
        }),
      this.retry,
      this.onRetry ? (e) => this.onRetry?.({ ...e, endpoint }) : undefined,
    );
  }

  private async attempt(
    url: string,
    endpoint: string,
    headers: Record<string, string>,
    payload: string,
  ): Promise<unknown> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let text: string;
    let res: Awaited<ReturnType<HttpFetch>>;
    try {
      res = await this.fetchImpl(url, {
        method: 'POST',
        headers,
        body: payload,
        signal,
        dispatcher: this.pool,
      });
      text = await res.text();
    } catch (err) {
      // A transport of our own (the SageMaker async one) throws typed errors: they keep their type and retry rule.
      if (err instanceof LlmError) throw err;
      if (signal.aborted) throw new LlmTimeoutError(endpoint, this.timeoutMs);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      // The pool's timers are the deadline too; whichever fires first, it is our deadline that passed.
      if (cause?.code === 'UND_ERR_HEADERS_TIMEOUT' || cause?.code === 'UND_ERR_BODY_TIMEOUT')
        throw new LlmTimeoutError(endpoint, this.timeoutMs);
      throw new LlmNetworkError(`${endpoint}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    if (!res.ok) {
      let snippet = text.slice(0, SNIPPET_CHARS).replace(/\s+/g, ' ');
      // A server that echoes the request headers must not put the key into our errors and logs.
      if (this.apiKey) snippet = snippet.split(this.apiKey).join('[key]');
      throw new LlmHttpError(res.status, endpoint, snippet, parseRetryAfter(res.headers));
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new LlmBadResponseError(`${endpoint} answered HTTP ${res.status} with a body that is not JSON`);
    }
  }

  /** Runs `fn` once for concurrent calls with the same key. */
  private shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running) return running as Promise<T>;
    const p = fn().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async readCache(key: string): Promise<CacheEntry | null> {
    if (!this.cache) return null;
    const text = await this.cache.get(key);
    if (text === null) return null;
    try {
      const e = JSON.parse(text) as CacheEntry;
      return e && e.v === 1 ? e : null;
    } catch {
      return null; // a damaged entry is a miss; the fresh answer overwrites it
    }
  }

  private async writeCache(key: string, entry: CacheEntry): Promise<void> {
    if (this.cache) await this.cache.put(key, JSON.stringify(entry));
  }

  private async sendChat(body: Record<string, unknown>, ctx: CallContext): Promise<ChatResult> {
    const messages = body.messages as ChatMessage[];
    const est = estimateMessagesTokens(messages) + ((body.max_tokens as number | undefined) ?? 256);
    const json = (await this.post('/chat/completions', body, ctx, est)) as {
      choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
      usage?: {
        prompt_tokens?: number;
        completion_tokens?: number;
        prompt_tokens_details?: { cached_tokens?: number } | null;
      };
    };
    const usage: Usage = {
      promptTokens: json.usage?.prompt_tokens ?? 0,
      completionTokens: json.usage?.completion_tokens ?? 0,
      cachedPromptTokens: json.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    };
    this.ledger.record({ stage: ctx.stage, scope: ctx.scope, requests: 1, ...usage });
    const choice = json.choices?.[0];
    if (!choice || typeof choice.message?.content !== 'string')
      throw new LlmBadResponseError(
        `${publicEndpoint(this.baseUrl)}/chat/completions: the answer has no message`,
      );
    return {
      content: choice.message.content,
      finishReason: choice.finish_reason ?? null,
      usage,
      fromCache: false,
    };
  }

  /** A plain chat completion, cached by (model, messages, parameters). */
  async chat(messages: ChatMessage[], ctx: CallContext, params: ChatParams = {}): Promise<ChatResult> {
    const body = this.chatBody(messages, params);
    const key = cacheKey({ kind: 'chat', ...body });
    return this.shared(key, async () => {
      const hit = await this.readCache(key);
      if (hit?.content !== undefined) {
        this.ledger.record({ stage: ctx.stage, scope: ctx.scope, cacheHits: 1 });
        return { content: hit.content, finishReason: 'stop', usage: hit.usage!, fromCache: true };
      }
      const r = await this.sendChat(body, ctx);
      await this.writeCache(key, { v: 1, content: r.content, usage: r.usage });
      return r;
    });
  }

  /**
   * A chat completion constrained to a JSON schema (`response_format: json_schema`), validated with zod and the
   * caller's checks; an invalid answer gets one repair request that quotes the problems. The outcome is cached
   * under the key of the original request (the valid answer, or the rejection with its parsed values), so a warm
   * re-run sends nothing and ends the same way; failures of the service itself are not cached.
   */
  async chatJson<T>(req: JsonRequest<T>): Promise<JsonResult<T>> {
    const ctx: CallContext = { stage: req.stage, scope: req.scope };
    const responseFormat = {
      type: 'json_schema',
      json_schema: { name: req.schemaName, schema: req.jsonSchema ?? jsonSchemaOf(req.schema), strict: true },
    };
    const body = this.chatBody(req.messages, req.params ?? {}, responseFormat);
    const key = cacheKey({ kind: 'chat-json', ...body });
    return this.shared(key, async () => {
      const hit = await this.readCache(key);
      if (hit?.rejected) {
        this.ledger.record({ stage: ctx.stage, scope: ctx.scope, cacheHits: 1 });
        const { message, values } = hit.rejected;
        throw new StructuredOutputError(message, values.at(-1), values);
      }
      if (hit?.content !== undefined) {
        const v = validateReply(hit.content, req.schema, req.check);
        if (v.ok) {
          this.ledger.record({ stage: ctx.stage, scope: ctx.scope, cacheHits: 1 });
          return { value: v.value, repaired: false, fromCache: true };
        }
      }
      const first = await this.sendChat(body, ctx);
      const v1 = validateReply(first.content, req.schema, req.check);
      if (v1.ok) {
        await this.writeCache(key, { v: 1, content: first.content, usage: first.usage });
        return { value: v1.value, repaired: false, fromCache: false };
      }
      if (req.repair === false) {
        const message = `answer invalid: ${v1.problems.join('; ')}`;
        const values = v1.value === undefined ? [] : [v1.value];
        await this.writeCache(key, { v: 1, rejected: { message, values }, usage: first.usage });
        throw new StructuredOutputError(message, v1.value, values);
      }
      const repairMessages: ChatMessage[] = [
        ...req.messages,
        { role: 'assistant', content: stripThinking(first.content).slice(0, 8000) },
        {
          role: 'user',
          content:
            `That answer cannot be used:\n- ${v1.problems.join('\n- ')}\n` +
            'Answer again with the complete JSON object only, following the schema and the rules above.',
        },
      ];
      const second = await this.sendChat(
        this.chatBody(repairMessages, req.params ?? {}, responseFormat),
        ctx,
      );
      const v2 = validateReply(second.content, req.schema, req.check);
      if (v2.ok) {
        await this.writeCache(key, { v: 1, content: second.content, usage: second.usage });
        return { value: v2.value, repaired: true, fromCache: false };
      }
      const message = `answer invalid after one repair: ${v2.problems.join('; ')}`;
      const values = [v1.value, v2.value].filter((x) => x !== undefined);
      // The model's final word on this request (temperature 0): kept, so a re-run gives the same result for free.
      // Service failures (HTTP errors, timeouts, budget) are never cached.
      await this.writeCache(key, { v: 1, rejected: { message, values }, usage: second.usage });
      throw new StructuredOutputError(message, v2.value, values);
    });
  }

  /**
   * Embeddings of `inputs` in one request (callers batch), as Float32Array rows in input order.
   * Cached by (model, inputs, dimensions) unless `cache` is false.
   */
  async embed(
    inputs: readonly string[],
    ctx: CallContext,
    opts: { dimensions?: number; cache?: boolean } = {},
  ): Promise<Float32Array[]> {
    if (inputs.length === 0) return [];
    // Servers reject empty strings; one space embeds as "nothing" without shifting the rows.
    const input = inputs.map((t) => (t.length > 0 ? t : ' '));
    const body: Record<string, unknown> = { model: this.model, input, encoding_format: 'float' };
    if (opts.dimensions !== undefined) body.dimensions = opts.dimensions;
    const useCache = opts.cache !== false;
    const key = cacheKey({ kind: 'embeddings', ...body });
    return this.shared(key, async () => {
      if (useCache) {
        const hit = await this.readCache(key);
        if (hit?.f32 && hit.n === input.length && hit.dim) {
          this.ledger.record({ stage: ctx.stage, scope: ctx.scope, cacheHits: 1 });
          return splitRows(Buffer.from(hit.f32, 'base64'), hit.n, hit.dim);
        }
      }
      const est = input.reduce((s, t) => s + estimateTokens(t) + 2, 0);
      const json = (await this.post('/embeddings', body, ctx, est)) as {
        data?: { index?: number; embedding?: number[] | string }[];
        usage?: { prompt_tokens?: number };
      };
      const endpoint = `${publicEndpoint(this.baseUrl)}/embeddings`;
      this.ledger.record({
        stage: ctx.stage,
        scope: ctx.scope,
        requests: 1,
        promptTokens: json.usage?.prompt_tokens ?? 0,
      });
      const data = json.data;
      if (!Array.isArray(data) || data.length !== input.length)
        throw new LlmBadResponseError(
          `${endpoint}: expected ${input.length} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`,
        );
      const rows: Float32Array[] = new Array(input.length);
      data.forEach((d, i) => {
        const at = d.index ?? i;
        if (!(at >= 0 && at < input.length) || rows[at])
          throw new LlmBadResponseError(`${endpoint}: bad or repeated index ${d.index}`);
        rows[at] =
          typeof d.embedding === 'string'
            ? new Float32Array(new Uint8Array(Buffer.from(d.embedding, 'base64')).buffer)
            : Float32Array.from(d.embedding ?? []);
      });
      const dim = rows[0].length;
      if (dim === 0 || rows.some((r) => r.length !== dim))
        throw new LlmBadResponseError(`${endpoint}: embeddings of unequal or zero length`);
      if (useCache) {
        const flat = new Float32Array(rows.length * dim);
        for (let i = 0; i < rows.length; i++) flat.set(rows[i], i * dim);
        await this.writeCache(key, {
          v: 1,
          n: rows.length,
          dim,
          f32: Buffer.from(flat.buffer, flat.byteOffset, flat.byteLength).toString('base64'),
        });
      }
      return rows;
    });
  }

  /** Closes the connections, and stops the limiter when this client created it (a shared one belongs to its creator). */
  async close(): Promise<void> {
    if (this.ownsLimiter) await this.limiter.stop();
    await this.pool.close();
  }
}

function splitRows(buf: Buffer, n: number, dim: number): Float32Array[] {
  const copy = new Uint8Array(buf).buffer; // aligned copy
  const flat = new Float32Array(copy);
  return Array.from({ length: n }, (_, i) => flat.slice(i * dim, (i + 1) * dim));
}
