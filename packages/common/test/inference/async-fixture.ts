/** The async path on 127.0.0.1: s3rver, the offline upstreams, the serving router and the SageMaker stand-in. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createSageMakerInference, type SageMakerInferenceOptions } from '../../src/inference/index.js';
import type { TextStore } from '../../src/llm/cache.js';
import { type OfflineUpstream, startOfflineUpstream } from '../helpers/offline-upstream-server.js';
import { type LocalS3, startS3rver } from '../helpers/s3rver.js';
import {
  type SageMakerAsyncStandin,
  startSageMakerAsyncStandin,
} from '../helpers/sagemaker-async-standin.js';
import { type ServingRouter, startServingRouter } from '../helpers/serving-router.js';

export const BUCKET = 'inference';
export const MODELS = { chat: 'test-chat', embed: 'sif-via-router', classify: 'lexicon-finbert-standin' };

export class MemoryTextStore implements TextStore {
  readonly texts = new Map<string, string>();
  async getText(key: string) {
    return this.texts.get(key) ?? null;
  }
  async putText(key: string, text: string) {
    this.texts.set(key, text);
  }
}

/** A container answering every /invocations with a fixed status and body (failures, malformed answers). */
export async function startFixedContainer(
  status: number,
  body: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface AsyncFixture {
  s3: LocalS3;
  upstream: OfflineUpstream;
  router: ServingRouter;
  standin: SageMakerAsyncStandin;
  /** A standin whose container is `url` (for failure cases). */
  standinFor(containerUrl: string): Promise<SageMakerAsyncStandin>;
  adapter(
    over?: Partial<SageMakerInferenceOptions> & { standin?: SageMakerAsyncStandin },
  ): ReturnType<typeof createSageMakerInference>;
  keys(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startAsyncFixture(): Promise<AsyncFixture> {
  const s3 = await startS3rver(BUCKET);
  const upstream = await startOfflineUpstream();
  const router = await startServingRouter({
    chat: upstream.url,
    embed: upstream.url,
    classify: upstream.url,
  });
  const extra: SageMakerAsyncStandin[] = [];
  const standinFor = async (containerUrl: string) => {
    const st = await startSageMakerAsyncStandin({
      s3: s3.newClient(),
      s3OutputPath: `s3://${BUCKET}/inference/responses/`,
      s3FailurePath: `s3://${BUCKET}/inference/failures/`,
      containerUrl,
      endpoints: ['callthemes-test'],
    });
    extra.push(st);
    return st;
  };
  const standin = await standinFor(router.url);
  const runtimes: SageMakerRuntimeClient[] = [];
  return {
    s3,
    upstream,
    router,
    standin,
    standinFor,
    adapter: (over = {}) => {
      const runtime = new SageMakerRuntimeClient({
        endpoint: (over.standin ?? standin).url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 4,
      });
      runtimes.push(runtime);
      return createSageMakerInference({
        endpointName: 'callthemes-test',
        bucket: BUCKET,
        models: MODELS,
        runtime,
        s3: s3.newClient(),
        coldStartMs: 5_000,
        invocationTimeoutSeconds: 30,
        poll: { firstMs: 20, maxMs: 200 },
        // Wide enough that a firm's embed (through the LlmClient's hops) and classify meet even on a loaded machine.
        coalesceMs: 150,
        ...over,
      });
    },
    keys: async (prefix) => {
      const r = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
      return (r.Contents ?? []).map((c) => c.Key!).sort();
    },
    close: async () => {
      for (const r of runtimes) r.destroy();
      for (const st of extra) await st.close();
      await router.close();
      await upstream.close();
      await s3.stop();
    },
  };
}
