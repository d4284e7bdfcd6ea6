/**
 * The JSON of one SageMaker async invocation, shared by the adapter (here) and the serving image's router
 * (`infra/serving/router.py`, which reads the JSON Schema generated from these zod schemas into
 * `infra/serving/invocation.schema.json`; a test checks the two agree).
 *
 * One invocation carries several sub-requests so that a firm's embed and classify requests (or a partition's)
 * cost one round trip through S3. Each sub-request's `body` is what the OpenAI-compatible upstream takes
 * (`/v1/embeddings`, `/v1/chat/completions`, vLLM's `/classify`), and each answer is that upstream's status and
 * JSON body, so the router stays a dumb fan-out and the client keeps its own validation, cache and ledger.
 */
import { z } from 'zod';

export const INVOCATION_VERSION = 1;
export const INFERENCE_KINDS = ['embed', 'chat', 'classify'] as const;
export type InferenceKind = (typeof INFERENCE_KINDS)[number];

/** Where each kind goes on the upstream (relative to its base URL), for the router and the HTTP adapter. */
export const UPSTREAM_PATHS: Record<InferenceKind, string> = {
  embed: '/v1/embeddings',
  chat: '/v1/chat/completions',
  classify: '/classify',
};

const id = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);

export const subRequestSchema = z.object({
  id,
  kind: z.enum(INFERENCE_KINDS),
  body: z.record(z.string(), z.unknown()),
});

export const invocationRequestSchema = z.object({
  version: z.literal(INVOCATION_VERSION),
  requests: z.array(subRequestSchema).min(1).max(256),
});

export const subResponseSchema = z.object({
  id,
  kind: z.enum(INFERENCE_KINDS),
  /** The upstream's HTTP status (the router answers 502 for an upstream it could not reach). */
  status: z.number().int().min(100).max(599),
  body: z.unknown(),
});

export const invocationResponseSchema = z.object({
  version: z.literal(INVOCATION_VERSION),
  responses: z.array(subResponseSchema),
});

export type SubRequest = z.infer<typeof subRequestSchema>;
export type InvocationRequest = z.infer<typeof invocationRequestSchema>;
export type SubResponse = z.infer<typeof subResponseSchema>;
export type InvocationResponse = z.infer<typeof invocationResponseSchema>;

/** The JSON Schema document the router ships with (generated: `pnpm -s gen:invocation-schema`). */
export function invocationJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://callthemes/inference/invocation.schema.json',
    title: 'callthemes SageMaker async invocation',
    'x-upstream-paths': UPSTREAM_PATHS,
    $defs: {
      request: z.toJSONSchema(invocationRequestSchema),
      response: z.toJSONSchema(invocationResponseSchema),
    },
  };
}

/** Settings names from DESIGN's contracts. */
export const INFERENCE_ENV = 'CALLTHEMES_INFERENCE';
export const INFERENCE_BUCKET_ENV = 'CALLTHEMES_INFERENCE_BUCKET';
/** Key prefixes in the inference bucket: request JSON, SageMaker's S3OutputPath and S3FailurePath. */
export const INFERENCE_PREFIXES = {
  requests: 'inference/requests/',
  responses: 'inference/responses/',
  failures: 'inference/failures/',
} as const;
