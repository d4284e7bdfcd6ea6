/**
 * OpenAI-compatible TEST SERVER on 127.0.0.1: a real HTTP server speaking `/v1/chat/completions` and
 * `/v1/embeddings`, whose answers are scripted by the test (faults included: 429 with Retry-After, 5xx, hangs,
 * malformed JSON, wrong item counts). It records every request and the token usage it reported, so tests can
 * compare the client's ledger with what the server billed.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REPAIR_NOTE } from '../../src/naming/llm-batch.js';
import { lastUserMessage } from '../../src/testing/fake-names.js';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
  body: any;
  /** ms since the server started. */
  at: number;
}

export type Reply =
  /** A chat completion whose message content is `content` (usage computed unless given). */
  | { chat: string; usage?: { prompt: number; completion: number; cached?: number }; delayMs?: number }
  /** An embeddings answer. */
  | { vectors: number[][]; promptTokens?: number; delayMs?: number }
  /** Any status and body; with `bodyDelayMs` the headers go out first and the body that much later. */
  | {
      status: number;
      body: string;
      headers?: Record<string, string>;
      delayMs?: number;
      bodyDelayMs?: number;
    }
  /** Headers never come; the socket is closed when the server closes or the client gives up. */
  | { hang: true };

export type Handler = (req: ReceivedRequest, index: number) => Reply | Promise<Reply>;

/** Deterministic token counts the server bills: one token per whitespace-separated word. */
export const wordTokens = (s: string): number => s.split(/\s+/).filter(Boolean).length;

export class OpenAiTestServer {
  readonly requests: ReceivedRequest[] = [];
  /** Token usage the server reported in successful answers. */
  readonly billed = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0, answers: 0 };
  private readonly started = Date.now();

  private constructor(
    private readonly server: Server,
    public handler: Handler,
  ) {}

  static async start(handler: Handler): Promise<OpenAiTestServer> {
    let self: OpenAiTestServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void self?.handle(req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'), res);
      });
    });
    self = new OpenAiTestServer(server, handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  /** Base URL with the `/v1` prefix. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  requestsTo(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private async handle(path: string, headers: IncomingHttpHeaders, raw: string, res: ServerResponse) {
    let body: unknown = null;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const rec: ReceivedRequest = { path, headers, body, at: Date.now() - this.started };
    this.requests.push(rec);
    let reply: Reply;
    try {
      reply = await this.handler(rec, this.requests.length - 1);
    } catch (err) {
      reply = { status: 500, body: `test handler failed: ${(err as Error).message}` };
    }
    if ('hang' in reply) return;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      if (reply.bodyDelayMs) {
        res.flushHeaders();
        await new Promise((r) => setTimeout(r, reply.bodyDelayMs));
        if (res.destroyed) return;
      }
      res.end(reply.body);
      return;
    }
    let out: unknown;
    if ('chat' in reply) {
      // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
      const messages = ((body as any)?.messages ?? []) as { content: string }[];
      const prompt = reply.usage?.prompt ?? messages.reduce((s, m) => s + wordTokens(m.content), 0);
      const completion = reply.usage?.completion ?? wordTokens(reply.chat);
      const cached = reply.usage?.cached ?? 0;
      this.bill(prompt, completion, cached);
      out = {
        id: `chatcmpl-test-${this.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
        model: (body as any)?.model ?? 'test',
        choices: [{ index: 0, message: { role: 'assistant', content: reply.chat }, finish_reason: 'stop' }],
        usage: {
          prompt_tokens: prompt,
          completion_tokens: completion,
          total_tokens: prompt + completion,
          prompt_tokens_details: { cached_tokens: cached },
        },
      };
    } else {
      // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
      const inputs = ((body as any)?.input ?? []) as string[];
      const prompt = reply.promptTokens ?? inputs.reduce((s, t) => s + wordTokens(t), 0);
      this.bill(prompt, 0, 0);
      out = {
        object: 'list',
        // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
        model: (body as any)?.model ?? 'test',
        data: reply.vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
        usage: { prompt_tokens: prompt, total_tokens: prompt },
      };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out));
  }

  private bill(prompt: number, completion: number, cached: number) {
    this.billed.promptTokens += prompt;
    this.billed.completionTokens += completion;
    this.billed.cachedPromptTokens += cached;
    this.billed.answers += 1;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export { goodNames, lastUserMessage, type NamesAnswer, promptItems } from '../../src/testing/fake-names.js';

/** Whether the request is the repair request (only the refused items, with why they were refused). */
// biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
export const isRepair = (body: any): boolean => lastUserMessage(body).includes(REPAIR_NOTE);
