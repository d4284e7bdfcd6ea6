/**
 * A served sequence-classification model (FinBERT-style, e.g. yiyanghkust/finbert-tone) over HTTP, in
 * either of the two formats that serve such models:
 *   - vLLM's pooling classify endpoint: POST /classify {model, input: [texts]}
 *       → {data: [{index, label, probs, num_classes}]}
 *   - text-embeddings-inference: POST /predict {inputs: [[text], ...], truncate: true}
 *       → [[{label, score}, ...], ...] (a list of strings would be read as a sentence pair, hence [[text]])
 * Texts go in batches; answers are cached per text; limits and retries come from ServiceCalls.
 */
import { createHash } from 'node:crypto';
import type { Agent } from 'undici';
import { deadlinePool, httpFetch } from '../llm/http.js';
import { LocalServiceCalls, parseRetryAfter, RetryableError, type ServiceCalls } from './service-calls.js';
import {
  type SentimentClassifier,
  type SentimentLabel,
  type SentimentResult,
  STANDARD_LABELS,
} from './types.js';

export type ClassifyApi = 'vllm' | 'tei';
export const CLASSIFY_APIS: readonly ClassifyApi[] = ['vllm', 'tei'];

export interface HttpClassifierOptions {
  /** Service base URL (`http://host:8000`) or the full endpoint URL. */
  url: string;
  api: ClassifyApi;
  /** Model name sent to vLLM and recorded in the lake. */
  model: string;
  /** Texts per request (default 32, TEI's default max client batch). */
  batchSize?: number;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
  /** Bearer token; read from the environment by the caller, never logged. */
  apiKey?: string;
  /** Extra label names → our labels, e.g. {LABEL_0: 'neutral'} for models without named labels. */
  labelMap?: Record<string, SentimentLabel>;
  calls?: ServiceCalls;
}

const DEFAULT_PATH: Record<ClassifyApi, string> = { vllm: '/classify', tei: '/predict' };

export class HttpClassifier implements SentimentClassifier {
  readonly model: string;
  private readonly endpoint: string;
  private readonly calls: ServiceCalls;
  private readonly batchSize: number;
  private readonly labels: Record<string, SentimentLabel>;
  private readonly timeoutMs: number;
  /** Its own timeouts are the deadline: Node's global fetch would stop at 300 s whatever the deadline says. */
  private readonly pool: Agent;

  constructor(private readonly o: HttpClassifierOptions) {
    this.model = o.model;
    const base = o.url.replace(/\/+$/, '');
    this.endpoint = /\/(classify|predict)$/.test(base) ? base : `${base}${DEFAULT_PATH[o.api]}`;
    this.calls = o.calls ?? new LocalServiceCalls();
    this.batchSize = o.batchSize ?? 32;
    this.timeoutMs = o.timeoutMs ?? 60_000;
    this.pool = deadlinePool({ timeoutMs: this.timeoutMs });
    this.labels = { ...STANDARD_LABELS };
    for (const [k, v] of Object.entries(o.labelMap ?? {})) this.labels[k.toLowerCase()] = v;
  }

  /** Where requests go, without any credentials (for logs). */
  get target(): string {
    const u = new URL(this.endpoint);
    u.username = '';
    u.password = '';
    return u.toString();
  }

  async classify(texts: readonly string[]): Promise<SentimentResult[]> {
    const out: (SentimentResult | undefined)[] = new Array(texts.length);
    const missing: number[] = [];
    await Promise.all(
      texts.map(async (t, i) => {
        if (!t.trim()) out[i] = { label: 'neutral', score: 1 };
        else out[i] = await this.calls.cached<SentimentResult>(this.cacheKey(t));
      }),
    );
    texts.forEach((_, i) => {
      if (!out[i]) missing.push(i);
    });
    const batches: number[][] = [];
    for (let i = 0; i < missing.length; i += this.batchSize)
      batches.push(missing.slice(i, i + this.batchSize));
    await Promise.all(
      batches.map(async (idx) => {
        const results = await this.calls.send(() => this.request(idx.map((i) => texts[i])));
        await Promise.all(
          idx.map((i, k) => {
            out[i] = results[k];
            return this.calls.remember(this.cacheKey(texts[i]), results[k]);
          }),
        );
      }),
    );
    return out as SentimentResult[];
  }

  private cacheKey(text: string): string {
    return createHash('sha256').update(`${this.o.api}\0${this.model}\0${text}`).digest('hex');
  }

  private async request(texts: string[]): Promise<SentimentResult[]> {
    const body =
      this.o.api === 'vllm'
        ? { model: this.model, input: texts }
        : { inputs: texts.map((t) => [t]), truncate: true };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.o.apiKey) headers.authorization = `Bearer ${this.o.apiKey}`;
    let res: Awaited<ReturnType<typeof httpFetch>>;
    try {
      res = await httpFetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        dispatcher: this.pool,
      });
    } catch (err) {
      throw new RetryableError(`sentiment service ${this.target}: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (res.status === 429 || res.status >= 500) {
      throw new RetryableError(
        `sentiment service ${this.target}: HTTP ${res.status} ${snippet(text)}`,
        parseRetryAfter(res.headers.get('retry-after')),
      );
    }
    if (!res.ok) throw new Error(`sentiment service ${this.target}: HTTP ${res.status} ${snippet(text)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`sentiment service ${this.target}: response is not JSON: ${snippet(text)}`);
    }
    const results = this.o.api === 'vllm' ? this.parseVllm(json) : this.parseTei(json);
    if (results.length !== texts.length)
      throw new Error(
        `sentiment service ${this.target}: ${results.length} results for ${texts.length} texts`,
      );
    return results;
  }

  private parseVllm(json: unknown): SentimentResult[] {
    const data = (json as { data?: unknown })?.data;
    if (!Array.isArray(data))
      throw new Error(`sentiment service ${this.target}: no "data" list in the response`);
    const rows = [...data] as { index?: number; label?: unknown; probs?: unknown }[];
    rows.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return rows.map((r) => {
      const probs = Array.isArray(r.probs) ? (r.probs as number[]) : [];
      return { label: this.label(r.label), score: clamp01(probs.length ? Math.max(...probs) : Number.NaN) };
    });
  }

  private parseTei(json: unknown): SentimentResult[] {
    if (!Array.isArray(json))
      throw new Error(`sentiment service ${this.target}: expected a list of predictions`);
    // A batch answers with one list of {label, score} per input; a single input with one flat list.
    const perText = json.length > 0 && !Array.isArray(json[0]) ? [json] : json;
    return (perText as { label?: unknown; score?: number }[][]).map((preds) => {
      if (!Array.isArray(preds) || preds.length === 0)
        throw new Error(`sentiment service ${this.target}: empty prediction list`);
      const best = preds.reduce((a, b) => ((b.score ?? 0) > (a.score ?? 0) ? b : a));
      return { label: this.label(best.label), score: clamp01(best.score ?? Number.NaN) };
    });
  }

  private label(raw: unknown): SentimentLabel {
    const l = this.labels[String(raw).toLowerCase()];
    if (!l)
      throw new Error(
        `sentiment service ${this.target}: model ${this.model} answered label "${String(raw)}"; ` +
          `map it with a label map (e.g. LABEL_0=neutral)`,
      );
    return l;
  }
}

function clamp01(x: number): number {
  if (!Number.isFinite(x)) throw new Error(`sentiment service returned a non-numeric score`);
  return Math.min(1, Math.max(0, x));
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}
