/**
 * The async invoker as the LlmClient's transport: `/chat/completions` and `/embeddings` POSTs become
 * sub-requests of an invocation, so chat with JSON schemas, embeddings, the response cache, the token ledger and
 * the budget work unchanged over SageMaker. An answer read back from an earlier invocation (a redelivered
 * message) reports no token usage: it was paid for, and booked, once.
 */
import type { HttpFetch } from '../llm/http.js';
import type { AsyncInvoker } from './async-invoker.js';
import { InferenceFailedError } from './errors.js';
import type { InferenceKind } from './schema.js';

function kindOf(url: string): InferenceKind {
  const path = new URL(url).pathname;
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/embeddings')) return 'embed';
  throw new InferenceFailedError(`the SageMaker transport has no route for ${path}`);
}

export function asyncFetch(invoker: AsyncInvoker): HttpFetch {
  return async (url, init) => {
    const kind = kindOf(url);
    const r = await invoker.submit(kind, JSON.parse(init.body) as Record<string, unknown>);
    let body = r.body;
    if (r.reused && body && typeof body === 'object' && 'usage' in body)
      body = { ...(body as object), usage: { prompt_tokens: 0, completion_tokens: 0 } };
    const text = JSON.stringify(body ?? null);
    return {
      ok: r.status >= 200 && r.status < 300,
      status: r.status,
      headers: { get: () => null },
      text: async () => text,
    };
  };
}
