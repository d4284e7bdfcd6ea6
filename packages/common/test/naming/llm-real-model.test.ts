/**
 * The topic namer against a REAL small model (SmolLM2-135M-Instruct, GGUF) behind an OpenAI-compatible server
 * on 127.0.0.1. Quality is not the point of a 135M model; the point is the real path: a chat template, a
 * grammar from the JSON schema, real token counts in the ledger, the repair/fallback path, the cache.
 * Skips with a message when scripts/fetch-test-model.sh has not run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalLakeStore } from '../../src/lake/store.js';
import { StoreResponseCache } from '../../src/llm/cache.js';
import { LlmClient } from '../../src/llm/client.js';
import { type HttpFetch, httpFetch } from '../../src/llm/http.js';
import { recoverCutOffJson } from '../../src/llm/json-output.js';
import { TokenLedger } from '../../src/llm/ledger.js';
import { forbiddenIn, forbiddenTermsFor } from '../../src/naming/firm-terms.js';
import { cleanName, itemProblems } from '../../src/naming/llm-batch.js';
import { LlmTopicNamer, TOPIC_NAMING_STAGE } from '../../src/naming/llm-topic-namer.js';
import type { FirmInfo, TopicToName } from '../../src/naming/types.js';
import { type LlamaServer, llamaRuntimeStatus, startLlamaServer } from '../helpers/llama-openai-server.js';
import { EXAMPLES_ECTSUM } from '../helpers/paths.js';
import { testOnServer } from '../helpers/served-model.js';

/** Two topics of a real call (the shipped ECTSum sample): sentences about sales, and about cash returned. */
function realTopics(): TopicToName[] {
  const lines = readFileSync(join(EXAMPLES_ECTSUM, 'AAP_q2_2021.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim().split(/\s+/).length >= 6);
  const about = (re: RegExp) => lines.filter((l) => re.test(l)).slice(0, 3);
  const sales = about(/\bsales\b/i);
  const cash = about(/\b(cash|dividend|repurchase)/i);
  assert.ok(sales.length === 3 && cash.length === 3, 'sample sentences found');
  return [
    {
      topicId: 'AAP:2021Q2:t0',
      size: 12,
      keywords: ['sales', 'comparable', 'growth', 'stores'],
      representativeSentences: sales,
    },
    {
      topicId: 'AAP:2021Q2:t1',
      size: 9,
      keywords: ['cash', 'flow', 'repurchase', 'dividend'],
      representativeSentences: cash,
    },
  ];
}

interface Exchange {
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are arbitrary JSON
  body: any;
  content: string;
  finishReason: string;
}

/** A client of the real server: one attempt, a deadline long enough for one CPU thread, `fetch` recording. */
function realClient(
  server: LlamaServer,
  ledger: TokenLedger,
  fetch: HttpFetch,
  cache?: StoreResponseCache,
): LlmClient {
  return new LlmClient({
    baseUrl: server.url,
    model: server.model,
    ledger,
    timeoutMs: 500_000,
    retry: { maxAttempts: 1 },
    ...(cache ? { cache } : {}),
    fetch,
  });
}

/** A transport that keeps each request body and the model's raw answer. */
function recorder(): { fetch: HttpFetch; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const fetch: HttpFetch = async (url, init) => {
    const res = await httpFetch(url, init);
    const text = await res.text();
    const choice = JSON.parse(text).choices?.[0];
    exchanges.push({
      body: JSON.parse(init.body),
      content: choice?.message?.content ?? '',
      finishReason: choice?.finish_reason ?? '',
    });
    return { ok: res.ok, status: res.status, headers: res.headers, text: async () => text };
  };
  return { fetch, exchanges };
}

testOnServer(
  'a real small model names a real call’s topics: one request (+1 repair at most), real tokens, free re-run',
  { status: llamaRuntimeStatus(), timeout: 600_000 },
  startLlamaServer,
  async (server, dir) => {
    const firm: FirmInfo = {
      firmId: 'AAP',
      firmName: 'Advance Auto Parts',
      ticker: 'AAP',
      quarter: '2021Q2',
    };
    const topics = realTopics();
    const seen = recorder();
    const mk = (ledger: TokenLedger) =>
      new LlmTopicNamer({
        client: realClient(server, ledger, seen.fetch, new StoreResponseCache(new LocalLakeStore(dir))),
      });
    const ledger = new TokenLedger();
    const named = await mk(ledger).nameFirmTopics(firm, topics);

    assert.equal(named.length, 2);
    assert.deepEqual(
      named.map((n) => n.id),
      topics.map((t) => t.topicId),
    );
    const terms = forbiddenTermsFor(firm);
    for (const n of named) {
      assert.ok(n.nameSource === 'llm' || n.nameSource === 'fallback', n.nameSource);
      assert.ok(n.name.trim().length > 0);
      if (n.nameSource === 'llm') {
        assert.ok(n.name.split(/\s+/).length <= 6, n.name);
        assert.equal(forbiddenIn(n.name, terms).length, 0, n.name);
      }
    }
    // The grammar built from the keyed schema: one entry per topic, keyed 1..k in order, nothing else.
    const first = seen.exchanges[0];
    if (first.finishReason === 'stop') assert.deepEqual(Object.keys(JSON.parse(first.content)), ['1', '2']);
    const t = ledger.totals();
    assert.ok(t.requests === 1 || t.requests === 2, `requests ${t.requests} (one, plus one repair at most)`);
    assert.equal(server.requests, t.requests);
    assert.ok(t.promptTokens > 200, `prompt tokens ${t.promptTokens} counted by the model's tokenizer`);
    assert.ok(t.completionTokens > 10);
    assert.deepEqual(Object.keys(ledger.byScope(TOPIC_NAMING_STAGE)), ['AAP:2021Q2']);

    // The outcome (names, or the rejection behind a fallback) is cached: the re-run is free and identical.
    const warm = new TokenLedger();
    const again = await mk(warm).nameFirmTopics(firm, topics);
    assert.deepEqual(again, named);
    assert.equal(warm.totals().requests, 0);
    assert.equal(server.requests, t.requests);
  },
);

testOnServer(
  'a real model’s reply cut off at max_tokens: complete entries kept, the repair asks for exactly the rest',
  { status: llamaRuntimeStatus(), timeout: 600_000 },
  startLlamaServer,
  async (server) => {
    // Not the call's own firm: this 135M model names every topic after the firm, and the point here is the
    // mechanics of a cut-off reply, so its names must be able to pass the checks.
    const firm: FirmInfo = { firmId: 'ZZZ', firmName: null, ticker: 'ZZZ', quarter: '2021Q2' };
    const [sales, cash] = realTopics();
    const topics = [
      sales,
      cash,
      { ...sales, topicId: 'AAP:2021Q2:t2' },
      { ...cash, topicId: 'AAP:2021Q2:t3' },
    ];
    const seen = recorder();
    const ledger = new TokenLedger();
    const namer = new LlmTopicNamer({
      client: realClient(server, ledger, seen.fetch),
      // max_tokens = 32 + 4 · 8 = 64: too few for four entries (~15 tokens of JSON each).
      prompt: { completionTokensPerItem: 8, entryMaxTokens: 8, maxSentenceChars: 100 },
    });
    const named = await namer.nameFirmTopics(firm, topics);

    assert.equal(named.length, 4);
    assert.ok(named.every((n) => n.nameSource === 'llm' || n.nameSource === 'fallback'));
    const [first, repair] = seen.exchanges;
    assert.equal(first.finishReason, 'length', 'the first reply reached max_tokens');
    assert.equal(seen.exchanges.length, 2, 'one repair request');
    const part = (recoverCutOffJson(first.content) ?? {}) as Record<
      string,
      { name: string; description: string }
    >;
    const spec = { forbidden: forbiddenTermsFor(firm), maxNameWords: 6, maxDescriptionWords: 20 };
    const validFirst = ['1', '2', '3', '4'].filter(
      (n) => part[n]?.name && part[n].description && itemProblems(part[n], spec).length === 0,
    );
    const asked = Object.keys(repair.body.response_format.json_schema.schema.properties);
    // Exactly the topics without a usable entry in the first reply are asked again, and only they.
    assert.deepEqual(
      asked,
      ['1', '2', '3', '4'].filter((n) => !validFirst.includes(n)),
    );
    assert.deepEqual(
      [...String(repair.body.messages[1].content).matchAll(/^Topic (\d+)$/gm)].map((m) => m[1]),
      asked,
    );
    assert.ok(validFirst.length > 0 && asked.length > 0, 'some entries complete, some cut off');
    for (const n of validFirst) {
      assert.equal(named[Number(n) - 1].nameSource, 'llm');
      assert.equal(named[Number(n) - 1].name, cleanName(part[n].name));
    }
    assert.equal(ledger.totals().requests, 2);
    assert.equal(server.requests, 2);
  },
);
