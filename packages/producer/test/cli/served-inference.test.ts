import assert from 'node:assert/strict';
import { EMBEDDING_STAGE, SIF_MODEL_ID, SifEmbedder } from '@callthemes/common/embed';
import {
  createHttpInference,
  ServiceSettingError,
  type ServiceSettings,
  serviceSettingsFrom,
} from '@callthemes/common/inference';
import { LocalLakeStore } from '@callthemes/common/lake';
import { namersFor, TOPIC_NAMING_STAGE } from '@callthemes/common/naming';
import { LEXICON_MODEL } from '@callthemes/common/sentiment';
import { goodNames, OpenAiTestServer } from '@callthemes/common/testing/openai-test-server';
import { tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { UsageError } from '../../src/cli/common.js';
import { inferenceFrom } from '../../src/cli/service-options.js';

const KEY = 'sk-services-secret-42';
const ENV = ['CALLTHEMES_LLM_API_KEY', 'CALLTHEMES_LLM_URL', 'CALLTHEMES_LLM_MODEL', 'CALLTHEMES_EMBED_URL'];
const ENV_LIMITS = [
  'CALLTHEMES_LLM_REQUESTS_PER_MINUTE',
  'CALLTHEMES_EMBED_BATCH_SIZE',
  'CALLTHEMES_LLM_THINKING',
];
let server: OpenAiTestServer;
const saved = new Map<string, string | undefined>();

beforeAll(async () => {
  for (const k of [...ENV, ...ENV_LIMITS]) {
    saved.set(k, process.env[k]);
    delete process.env[k];
  }
  process.env.CALLTHEMES_LLM_API_KEY = KEY;
  server = await OpenAiTestServer.start((r) => {
    if (r.path.endsWith('/embeddings')) {
      const input = r.body.input as string[];
      return { vectors: input.map((t) => [3, 4, t.length]) };
    }
    return { chat: JSON.stringify(goodNames(r.body)) };
  });
});
afterAll(async () => {
  await server.close();
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('service settings', () => {
  test('nothing configured → no services', () => {
    assert.deepEqual(serviceSettingsFrom({}), { llm: null, embed: null, classify: null });
  });

  test('a URL without a model (and a bad URL) are usage errors', () => {
    assert.throws(() => serviceSettingsFrom({ llmUrl: 'http://x:8000' }), /--llm-url needs --llm-model/);
    assert.throws(() => serviceSettingsFrom({ embedModel: 'e' }), /--embed-model needs --embed-url/);
    assert.throws(() => serviceSettingsFrom({ llmUrl: 'ftp://x', llmModel: 'm' }), ServiceSettingError);
  });

  test('limits and switches come from CALLTHEMES_* variables; the key only from the environment', () => {
    process.env.CALLTHEMES_LLM_REQUESTS_PER_MINUTE = '120';
    process.env.CALLTHEMES_LLM_THINKING = 'true';
    try {
      const s = serviceSettingsFrom({ llmUrl: 'http://gpu:8000', llmModel: 'Qwen/Qwen3-8B' });
      assert.equal(s.llm?.limits.requestsPerMinute, 120);
      assert.equal(s.llm?.thinking, true);
      assert.equal(s.llm?.apiKey, KEY);
      // Four local workers on one machine: each takes a quarter of the limits.
      const shared = serviceSettingsFrom({ llmUrl: 'http://gpu:8000', llmModel: 'm' }, { share: 4 });
      assert.deepEqual(shared.llm?.limits, {
        requestsPerMinute: 30,
        tokensPerMinute: 500_000,
        maxConcurrent: 4,
      });
    } finally {
      delete process.env.CALLTHEMES_LLM_REQUESTS_PER_MINUTE;
      delete process.env.CALLTHEMES_LLM_THINKING;
    }
  });

  test('the CLI helper turns bad settings into UsageError', async () => {
    await assert.rejects(
      inferenceFrom({ llmUrl: 'http://x' }, new LocalLakeStore('/nonexistent')),
      UsageError,
    );
  });
});

/** The served kinds of `settings`; a kind without a service would load the word vectors (none here). */
const served = (
  settings: ServiceSettings,
  deps: { store: LocalLakeStore | null; log?: (l: string) => void },
) => createHttpInference(settings, { ...deps, sif: () => SifEmbedder.load() });

describe('the HTTP adapter of the Inference port', () => {
  test('builds namers and an embedder whose dimension comes from the service; caches live in the lake', async () => {
    const dir = tempDir();
    try {
      process.env.CALLTHEMES_EMBED_BATCH_SIZE = '2';
      const settings = serviceSettingsFrom({
        llmUrl: server.url,
        llmModel: 'chat-model',
        embedUrl: server.url,
        embedModel: 'embed-model',
      });
      delete process.env.CALLTHEMES_EMBED_BATCH_SIZE;
      const store = new LocalLakeStore(dir.path);
      const log: string[] = [];
      const s = await served(settings, { store, log: (l) => log.push(l) });
      assert.equal(s.kind, 'http');
      assert.equal(s.embedder.dim, 3);
      assert.equal(s.embedder.model, 'embed-model');
      const rows = await s.embedder.embed(['a', 'bb', 'ccc', 'dddd', 'eeeee']);
      assert.equal(server.requestsTo('/v1/embeddings').length, 1 + 3, 'probe + 3 batches of ≤ 2');
      // [3, 4, len] scaled to unit length
      const n = Math.hypot(3, 4, 2);
      assert.deepEqual(
        [...rows[1]].map((x) => x.toFixed(5)),
        [3 / n, 4 / n, 2 / n].map((x) => x.toFixed(5)),
      );
      const named = await namersFor(s).topicNamer.nameFirmTopics(
        { firmId: 'F1', firmName: null, ticker: 'F1', quarter: '2021Q2' },
        [
          {
            topicId: 'F1:2021Q2:t0',
            size: 5,
            keywords: ['supply', 'chain'],
            representativeSentences: ['Delays.'],
          },
        ],
      );
      assert.equal(named[0].name, 'Supply and chain');
      const chat = server.requestsTo('/v1/chat/completions');
      assert.equal(chat.length, 1);
      assert.equal(chat[0].headers.authorization, `Bearer ${KEY}`);
      assert.deepEqual(chat[0].body.chat_template_kwargs, { enable_thinking: false });
      const stages = s.ledger.byStage();
      assert.equal(stages[EMBEDDING_STAGE].requests, 4);
      assert.equal(stages[TOPIC_NAMING_STAGE].requests, 1);
      assert.ok(!JSON.stringify(s.describe()).includes(KEY));
      assert.ok(!JSON.stringify(s.ledger.toJSON()).includes(KEY));
      await s.close();

      // A second run over the same lake is answered from its caches.
      const before = server.requests.length;
      const again = await served(settings, { store });
      await again.embedder.embed(['a', 'bb', 'ccc', 'dddd', 'eeeee']);
      await namersFor(again).topicNamer.nameFirmTopics(
        { firmId: 'F1', firmName: null, ticker: 'F1', quarter: '2021Q2' },
        [
          {
            topicId: 'F1:2021Q2:t0',
            size: 5,
            keywords: ['supply', 'chain'],
            representativeSentences: ['Delays.'],
          },
        ],
      );
      assert.equal(server.requests.length, before, 'warm run: zero requests');
      assert.equal(again.ledger.totals().cacheHits, 1 + 3 + 1);
      await again.close();
    } finally {
      dir.cleanup();
    }
  });

  test('no service: the offline parts; --llm-url alone: served names, offline embeddings, lexicon labels', async () => {
    const none = await served(serviceSettingsFrom({}), { store: null });
    assert.deepEqual(
      [none.kind, none.chatClient, none.models],
      ['offline', null, { embed: SIF_MODEL_ID, chat: null, classify: LEXICON_MODEL }],
    );
    assert.equal(namersFor(none).topicNamer.constructor.name, 'KeywordNamer');
    const probes = server.requestsTo('/v1/embeddings').length;
    const llm = await served(serviceSettingsFrom({ llmUrl: server.url, llmModel: 'chat-model' }), {
      store: null,
    });
    assert.deepEqual(
      [llm.kind, llm.models],
      ['http', { embed: SIF_MODEL_ID, chat: 'chat-model', classify: LEXICON_MODEL }],
    );
    assert.equal(namersFor(llm).topicNamer.constructor.name, 'LlmTopicNamer');
    assert.equal(server.requestsTo('/v1/embeddings').length, probes, 'no embedding service asked');
    await Promise.all([none.close(), llm.close()]);
  });
});
