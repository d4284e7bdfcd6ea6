/**
 * The topic namer against a REAL small model (SmolLM2-135M-Instruct, GGUF) behind an OpenAI-compatible server
 * on 127.0.0.1. Quality is not the point of a 135M model; the point is the real path: a chat template, a
 * grammar from the JSON schema, real token counts in the ledger, the repair/fallback path, the cache.
 * Skips with a message when scripts/fetch-test-model.sh has not run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalLakeStore } from '../../src/lake/store.js';
import { StoreResponseCache } from '../../src/llm/cache.js';
import { LlmClient } from '../../src/llm/client.js';
import { TokenLedger } from '../../src/llm/ledger.js';
import { forbiddenIn, forbiddenTermsFor } from '../../src/naming/firm-terms.js';
import { LlmTopicNamer, TOPIC_NAMING_STAGE } from '../../src/naming/llm-topic-namer.js';
import type { FirmInfo, TopicToName } from '../../src/naming/types.js';
import { llamaRuntimeStatus, startLlamaServer } from '../helpers/llama-openai-server.js';
import { EXAMPLES_ECTSUM, tempDir } from '../helpers/paths.js';

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

test('a real small model names a real call’s topics: one request (+1 repair at most), real tokens, free re-run', {
  ...llamaRuntimeStatus(),
  timeout: 600_000,
}, async () => {
  const server = await startLlamaServer();
  const dir = tempDir();
  try {
    const firm: FirmInfo = {
      firmId: 'AAP',
      firmName: 'Advance Auto Parts',
      ticker: 'AAP',
      quarter: '2021Q2',
    };
    const topics = realTopics();
    const mk = (ledger: TokenLedger) =>
      new LlmTopicNamer({
        client: new LlmClient({
          baseUrl: server.url,
          model: server.model,
          ledger,
          timeoutMs: 500_000,
          retry: { maxAttempts: 1 },
          cache: new StoreResponseCache(new LocalLakeStore(dir.path)),
        }),
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
  } finally {
    dir.cleanup();
    await server.close();
  }
});
