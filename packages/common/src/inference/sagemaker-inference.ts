/**
 * The SageMaker async adapter: one AsyncInvoker (S3 + InvokeEndpointAsync + polling) under an LlmClient for
 * chat and embeddings (its cache, ledger, budget and JSON validation unchanged) and the async classifier; a firm's
 * classification leaves with its embeddings (classify-with-embed.ts).
 * AWS endpoints come from the SDK's standard AWS_ENDPOINT_URL_* variables.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { StoreResponseCache, type TextStore } from '../llm/cache.js';
import { LlmClient } from '../llm/client.js';
import { TokenLedger } from '../llm/ledger.js';
import { AsyncClassifier } from './async-classifier.js';
import { asyncFetch } from './async-fetch.js';
import { AsyncInvoker, type AsyncInvokerOptions } from './async-invoker.js';
import { classifyWithEmbed } from './classify-with-embed.js';
import { ComposedInference } from './composed.js';
import { LazyDimEmbedder } from './lazy-embedder.js';
import type { ServedModels } from './served-models.js';

export interface SageMakerInferenceOptions
  extends Omit<AsyncInvokerOptions, 'endpointName' | 'bucket' | 'runtime' | 's3'> {
  endpointName: string;
  bucket: string;
  models: ServedModels;
  runtime?: SageMakerRuntimeClient;
  s3?: S3Client;
  store?: TextStore | null;
  ledger?: TokenLedger;
  /** Attempts of one sub-request whose upstream answered 5xx/429 (each a new invocation). Default 3. */
  maxAttempts?: number;
  /** InvokeEndpointAsync attempts (the SDK's retry with backoff on throttling). Default 5. */
  runtimeMaxAttempts?: number;
  log?: (line: string) => void;
}

function defaultS3(): S3Client {
  const pathStyle = process.env.CALLTHEMES_S3_FORCE_PATH_STYLE;
  return new S3Client({
    forcePathStyle: pathStyle
      ? pathStyle === 'true' || pathStyle === '1'
      : Boolean(process.env.AWS_ENDPOINT_URL_S3),
  });
}

export function createSageMakerInference(
  o: SageMakerInferenceOptions,
): ComposedInference & { invoker: AsyncInvoker } {
  const ownRuntime = !o.runtime;
  const ownS3 = !o.s3;
  const runtime = o.runtime ?? new SageMakerRuntimeClient({ maxAttempts: o.runtimeMaxAttempts ?? 5 });
  const s3 = o.s3 ?? defaultS3();
  const invoker = new AsyncInvoker({ ...o, runtime, s3 });
  const ledger = o.ledger ?? new TokenLedger();
  const fetch = asyncFetch(invoker);
  const client = (model: string, prefix: string) =>
    new LlmClient({
      baseUrl: `sagemaker://${o.endpointName}`,
      model,
      // The invoker bounds what is in flight; this limiter only must not hold sub-requests back.
      limits: { maxConcurrent: 100_000, requestsPerMinute: 10_000_000, tokensPerMinute: 1_000_000_000 },
      // Past the invoker's own deadline, so its typed timeout is what the caller sees.
      timeoutMs: invoker.deadlineMs + 60_000,
      retry: { maxAttempts: o.maxAttempts ?? 3, deadlineMs: invoker.deadlineMs * 2 },
      ledger,
      cache: o.store ? new StoreResponseCache(o.store, prefix) : null,
      fetch,
      onRetry:
        o.log &&
        ((e) => o.log?.(`retry ${e.endpoint} after attempt ${e.attempt}: ${(e.error as Error).message}`)),
    });
  const chat = client(o.models.chat, '_cache/llm');
  const embedClient = client(o.models.embed, '_cache/embeddings');
  const parts = classifyWithEmbed(
    new LazyDimEmbedder(embedClient, { dimensions: o.models.dimensions }),
    new AsyncClassifier(o.models.classify, invoker, ledger),
  );
  const inference = new ComposedInference({
    kind: 'sagemaker',
    embedder: parts.embedder,
    chat,
    classifier: parts.classifier,
    ledger,
    describe: () => ({ endpoint: o.endpointName, bucket: o.bucket, invocations: { ...invoker.stats } }),
    close: async () => {
      await invoker.close();
      await Promise.all([chat.close(), embedClient.close()]);
      if (ownRuntime) runtime.destroy();
      if (ownS3) s3.destroy();
    },
  });
  return Object.assign(inference, { invoker });
}
