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
    const body0 = JSON.parse(init.body) as Record<string, unknown>;
    // Vectors as base64 float32 (5.3 bytes a value instead of ~10 as JSON text): a firm's 4096-d embeddings go
    // through S3 twice. LlmClient reads either form; its cache key was taken from the request as it built it.
    if (kind === 'embed') body0.encoding_format = 'base64';
    const r = await invoker.submit(kind, body0);
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
