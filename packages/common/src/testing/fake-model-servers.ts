/**
 * FAKE model servers (the real ones need a GPU) behind the serving image's router, shaped like production's
 * vLLM servers: an OpenAI-compatible embedder answering 4096-d vectors, a chat model, a sentence classifier.
 * Deterministic, and each answer waits a latency like a served model's (a fixed part + a part per input), so the
 * fleet sees production shapes and timings, not a model's quality:
 * - embedder: the offline SIF vector (100-d word vectors) lifted to `dimension` by a fixed random projection
 *   (seeded, Gaussian), L2-normalised; a request's `dimensions` truncates and renormalises, as vLLM does for a
 *   Matryoshka model such as Qwen3-Embedding;
 * - chat: topic and theme names from each prompt item's keywords (fake-names.ts);
 * - classify: the offline lexicon's labels in vLLM's /classify format (FinBERT's three classes).
 */
import { createOfflineInference } from '../inference/offline-inference.js';
import { goodNames } from './fake-names.js';
import { startJsonServer } from './json-server.js';

export const FAKE_MODELS = {
  embed: 'fake-embedder-sif-projected',
  chat: 'fake-chat-keyword-names',
  classify: 'fake-classifier-lexicon',
} as const;

export interface FakeLatency {
  /** ms per request. */
  fixedMs: number;
  /** ms per input text (embed, classify) or per prompt item (chat). */
  perItemMs: number;
}

export interface FakeModelServerOptions {
  /** The embedder's full dimension (default 4096, Qwen3-Embedding-8B's). */
  embedDimension?: number;
  /** The seed of the projection (the same seed gives the same vectors in every process). */
  seed?: number;
  latency?: Partial<Record<keyof typeof FAKE_MODELS, FakeLatency>>;
  /** The word-vector cache (the `cacheDir` setting). */
  cacheDir?: string;
}

export interface FakeModelServers {
  /** Base URLs (no /v1) by kind, as the router's upstreams. */
  urls: { chat: string; embed: string; classify: string };
  /** Requests answered, by kind. */
  requests: Record<keyof typeof FAKE_MODELS, number>;
  close(): Promise<void>;
}

/** Latencies of a served model on one GPU, roughly (measured shapes, not a promise). */
export const DEFAULT_FAKE_LATENCY: Record<keyof typeof FAKE_MODELS, FakeLatency> = {
  embed: { fixedMs: 40, perItemMs: 1 },
  chat: { fixedMs: 400, perItemMs: 25 },
  classify: { fixedMs: 15, perItemMs: 0.3 },
};

/** A seeded Gaussian stream (mulberry32 + Box–Muller): the projection is the same everywhere. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = Math.max(uniform(), Number.EPSILON);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

/** `out` rows = normalise(P · v) truncated to `dims`, P a fixed dimension × source matrix. */
export function projector(source: number, dimension: number, seed = 20261207) {
  const next = gaussian(seed);
  const p = new Float32Array(dimension * source);
  for (let i = 0; i < p.length; i++) p[i] = next();
  return (v: Float32Array, dims = dimension): Float32Array => {
    const d = Math.min(dims, dimension);
    const out = new Float32Array(d);
    let norm = 0;
    for (let r = 0; r < d; r++) {
      let s = 0;
      const row = r * source;
      for (let c = 0; c < source; c++) s += p[row + c] * v[c];
      out[r] = s;
      norm += s * s;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let r = 0; r < d; r++) out[r] /= norm;
    return out;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** The OpenAI embeddings answer for `rows` (float lists, or base64 float32 when the request asks for it). */
export function embeddingsAnswer(
  model: string,
  rows: readonly Float32Array[],
  encodingFormat: unknown,
  promptTokens: number,
) {
  return {
    object: 'list',
    model,
    data: rows.map((r, index) => ({
      object: 'embedding',
      index,
      embedding:
        encodingFormat === 'base64'
          ? Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('base64')
          : Array.from(r),
    })),
    usage: { prompt_tokens: promptTokens },
  };
}

/** vLLM's /classify answer for lexicon labels: FinBERT's three classes, the label's score, the rest split evenly. */
export function classifyAnswer(model: string, results: readonly { label: string; score: number }[]) {
  const order = ['neutral', 'positive', 'negative'];
  return {
    object: 'list',
    model,
    data: results.map((r, index) => {
      const rest = (1 - r.score) / 2;
      return {
        index,
        label: r.label,
        probs: order.map((l) => (l === r.label ? r.score : rest)),
        num_classes: 3,
      };
    }),
  };
}

/** The OpenAI chat answer holding `content`, usage counted one token per word. */
export function chatAnswer(model: string, content: string, promptTokens: number) {
  return {
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: words(content), total_tokens: 0 },
  };
}

export async function startFakeModelServers(o: FakeModelServerOptions = {}): Promise<FakeModelServers> {
  const inf = createOfflineInference({ cacheDir: o.cacheDir });
  const dimension = o.embedDimension ?? 4096;
  const latency = { ...DEFAULT_FAKE_LATENCY, ...o.latency };
  const requests = { embed: 0, chat: 0, classify: 0 };
  let lift: ReturnType<typeof projector> | undefined;
  const wait = (kind: keyof typeof FAKE_MODELS, items: number) =>
    sleep(latency[kind].fixedMs + latency[kind].perItemMs * items);

  const embed = await startJsonServer(async (path, body) => {
    if (path !== '/v1/embeddings') return [404, { error: `no route ${path}` }];
    requests.embed++;
    const input: string[] = Array.isArray(body.input) ? body.input : [body.input];
    const dims = body.dimensions === undefined ? dimension : Number(body.dimensions);
    if (!Number.isInteger(dims) || dims < 1 || dims > dimension)
      return [400, { error: `dimensions must be 1..${dimension}` }];
    const rows = await inf.embed(input);
    lift ??= projector(rows[0]?.length ?? 100, dimension, o.seed);
    const out = rows.map((r) => lift!(r, dims));
    await wait('embed', input.length);
    const tokens = input.reduce((n, t) => n + words(t), 0);
    return [200, embeddingsAnswer(body.model ?? FAKE_MODELS.embed, out, body.encoding_format, tokens)];
  });
  const chat = await startJsonServer(async (path, body) => {
    if (path !== '/v1/chat/completions') return [404, { error: `no route ${path}` }];
    requests.chat++;
    const names = goodNames(body);
    const content = JSON.stringify(names);
    await wait('chat', Object.keys(names).length);
    const prompt = (body.messages as { content: string }[]).reduce((s, m) => s + words(m.content), 0);
    return [200, chatAnswer(body.model ?? FAKE_MODELS.chat, content, prompt)];
  });
  const classify = await startJsonServer(async (path, body) => {
    if (path !== '/classify') return [404, { error: `no route ${path}` }];
    requests.classify++;
    const input: string[] = body.input;
    const results = await inf.classify(input);
    await wait('classify', input.length);
    return [200, classifyAnswer(body.model ?? FAKE_MODELS.classify, results)];
  });
  const servers = [embed, chat, classify];
  return {
    urls: { chat: chat.url, embed: embed.url, classify: classify.url },
    requests,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
