import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { LocalLakeStore } from '../../src/lake/store.js';
import { MemoryResponseCache, StoreResponseCache } from '../../src/llm/cache.js';
import { LlmClient, type LlmClientOptions } from '../../src/llm/client.js';
import { TokenLedger } from '../../src/llm/ledger.js';
import { forbiddenIn, forbiddenTermsFor } from '../../src/naming/firm-terms.js';
import { ENTRY_MAX_TOKENS, maxTokensFor } from '../../src/naming/llm-batch.js';
import { TOPIC_SYSTEM_PROMPT, truncateText } from '../../src/naming/llm-prompts.js';
import { LlmThemeNamer } from '../../src/naming/llm-theme-namer.js';
import { LlmTopicNamer, TOPIC_NAMING_STAGE } from '../../src/naming/llm-topic-namer.js';
import type { FirmInfo, TopicNamer, TopicToName } from '../../src/naming/types.js';
import { goodNames, type Handler, isRepair, OpenAiTestServer } from '../helpers/openai-test-server.js';
import { tempDir } from '../helpers/paths.js';

let server: OpenAiTestServer;
const use = (h: Handler) => {
  server.requests.length = 0;
  server.handler = h;
};
const client = (o: Partial<LlmClientOptions> = {}) =>
  new LlmClient({
    baseUrl: server.url,
    model: 'namer-test',
    retry: { baseDelayMs: 10, maxDelayMs: 20 },
    ...o,
  });

const ACME: FirmInfo = { firmId: 'ACME', firmName: 'Acme Widgets Inc.', ticker: 'ACME', quarter: '2021Q2' };
const topic = (n: number, kws: string[]): TopicToName => ({
  topicId: `ACME:2021Q2:t${n}`,
  size: 10 + n,
  keywords: kws,
  representativeSentences: [
    `Our ${kws[0]} grew strongly this quarter as customers came back.`,
    `We expect ${kws[1]} to keep improving through the second half of the year and beyond.`,
    `Management discussed ${kws[2]} at length with analysts during the call today.`,
    'A fourth sentence that must not be sent.',
  ],
});
const TOPICS = [
  topic(0, ['revenue', 'growth', 'demand', 'customers']),
  topic(1, ['margin', 'costs', 'inflation', 'pricing']),
  topic(2, ['buyback', 'dividend', 'capital', 'returns']),
];
const good: Handler = (r) => ({ chat: JSON.stringify(goodNames(r.body)) });
/** Each named topic as [name, where the name came from]. */
const namesAndSources = (named: { name: string; nameSource: string }[]) =>
  named.map((n) => [n.name, n.nameSource]);

beforeAll(async () => {
  server = await OpenAiTestServer.start(good);
});
afterAll(async () => {
  await server.close();
});

describe('LlmTopicNamer', () => {
  test('one request per firm names every topic, in order, from the shared prefix', async () => {
    use(good);
    const ledger = new TokenLedger();
    const namer = new LlmTopicNamer({ client: client({ ledger }) });
    const named = await namer.nameFirmTopics(ACME, TOPICS);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(
      named.map((n) => [n.id, n.name, n.nameSource]),
      [
        ['ACME:2021Q2:t0', 'Revenue and growth', 'llm'],
        ['ACME:2021Q2:t1', 'Margin and costs', 'llm'],
        ['ACME:2021Q2:t2', 'Buyback and dividend', 'llm'],
      ],
    );
    assert.equal(named[1].description, 'Speakers discuss margin, costs, inflation.');
    const body = server.requests[0].body;
    assert.equal(body.messages[0].content, TOPIC_SYSTEM_PROMPT);
    const user: string = body.messages[1].content;
    assert.equal((user.match(/^- /gm) ?? []).length, 9, '3 sentences per topic');
    assert.ok(!user.includes('fourth sentence'));
    assert.match(user, /\nName all 3 topics: one entry per topic, keyed by its number, 1 to 3\.$/);
    // One required entry per topic, keyed by its number, nothing else: a constrained decoder cannot miscount.
    const schema = body.response_format.json_schema.schema;
    assert.deepEqual(Object.keys(schema.properties), ['1', '2', '3']);
    assert.deepEqual(schema.required, ['1', '2', '3']);
    assert.equal(schema.additionalProperties, false);
    // Room for every entry at the string caps (260 tokens each in the worst case): the reply cannot be cut off.
    assert.equal(body.max_tokens, 32 + 3 * 260);
    assert.deepEqual(Object.keys(ledger.byScope(TOPIC_NAMING_STAGE)), ['ACME:2021Q2']);
  });

  test('the firm’s own name and ticker are not shown to the model: keywords dropped, "the company" in sentences', async () => {
    use(good);
    const own: TopicToName = {
      topicId: 'ACME:2021Q2:t0',
      size: 12,
      keywords: ['acme', 'widgets', 'orders', 'backlog'],
      representativeSentences: [
        'Acme Widgets grew orders 12% while ACME stock rose.',
        "At Acme Widgets Inc., backlog reached a record and Acme's team delivered.",
      ],
    };
    const named = await new LlmTopicNamer({ client: client() }).nameFirmTopics(ACME, [own]);
    const user: string = server.requests[0].body.messages[1].content;
    assert.equal(
      user.split('\n\n')[0],
      'Topic 1\nKeywords: widgets, orders, backlog\nSentences:\n' +
        '- the company grew orders 12% while the company stock rose.\n' +
        "- At the company Inc., backlog reached a record and the company's team delivered.",
    );
    assert.equal(named[0].name, 'Widgets and orders');
  });

  test('a name with the ticker is sent back once; the repaired names are used', async () => {
    use((r) => {
      const ans = goodNames(r.body);
      if (!isRepair(r.body)) ans['2'].name = 'ACME margin pressure';
      return { chat: JSON.stringify(ans) };
    });
    const named = await new LlmTopicNamer({ client: client() }).nameFirmTopics(ACME, TOPICS);
    assert.equal(server.requests.length, 2);
    assert.match(server.requests[1].body.messages.at(-1).content, /topic 2: the name contains "ACME"/);
    assert.deepEqual(
      named.map((n) => n.nameSource),
      ['llm', 'llm', 'llm'],
    );
    assert.equal(named[1].name, 'Margin and costs');
  });

  test('a name that keeps the firm name after the repair falls back alone', async () => {
    use((r) => {
      const ans = goodNames(r.body);
      if (ans['3']) ans['3'].name = 'Acme Widgets capital returns';
      return { chat: JSON.stringify(ans) };
    });
    const fallbacks: string[] = [];
    const cache = new MemoryResponseCache();
    const named = await new LlmTopicNamer({
      client: client({ cache }),
      onFallback: (firm, why, n) => fallbacks.push(`${firm}:${n}:${why}`),
    }).nameFirmTopics(ACME, TOPICS);
    assert.equal(server.requests.length, 2);
    // The re-run replays the same outcome from the cache: same names, same fallback, no request.
    assert.deepEqual(
      await new LlmTopicNamer({ client: client({ cache }) }).nameFirmTopics(ACME, TOPICS),
      named,
    );
    assert.equal(server.requests.length, 2);
    assert.deepEqual(namesAndSources(named), [
      ['Revenue and growth', 'llm'],
      ['Margin and costs', 'llm'],
      ['buyback, dividend, capital, returns', 'fallback'],
    ]);
    assert.equal(named[2].description, null);
    assert.equal(fallbacks.length, 1);
    assert.match(fallbacks[0], /^ACME:1:answer invalid after one repair/);
  });

  test('a wrong number of topics is repaired, or salvaged item by item', async () => {
    use((r) => {
      const ans = goodNames(r.body);
      delete ans[Object.keys(ans).at(-1) ?? '']; // always one short
      return { chat: JSON.stringify(ans) };
    });
    const named = await new LlmTopicNamer({ client: client() }).nameFirmTopics(ACME, TOPICS);
    assert.equal(server.requests.length, 2);
    assert.match(server.requests[1].body.messages.at(-1).content, /topic 3: no answer came back/);
    assert.deepEqual(
      named.map((n) => n.nameSource),
      ['llm', 'llm', 'fallback'],
    );
  });

  test('a cut-off reply keeps its complete entries; the repair asks for only the rest, with why', async () => {
    const dir = tempDir();
    try {
      use((r) => {
        const text = JSON.stringify(goodNames(r.body));
        // The first answer stops mid-way through topic 2 (as at max_tokens); the repair answers in full.
        return { chat: isRepair(r.body) ? text : text.slice(0, text.indexOf('"2":') + 12) };
      });
      const mk = (ledger = new TokenLedger()) =>
        new LlmTopicNamer({
          client: client({ ledger, cache: new StoreResponseCache(new LocalLakeStore(dir.path)) }),
        });
      const named = await mk().nameFirmTopics(ACME, TOPICS);
      assert.equal(server.requests.length, 2);
      assert.deepEqual(namesAndSources(named), [
        ['Revenue and growth', 'llm'],
        ['Margin and costs', 'llm'],
        ['Buyback and dividend', 'llm'],
      ]);
      const repair = server.requests[1].body;
      assert.equal(repair.messages.length, 2, 'a fresh request, not the conversation');
      assert.equal(repair.messages[0].content, TOPIC_SYSTEM_PROMPT, 'the shared prefix again');
      const text: string = repair.messages[1].content;
      assert.deepEqual(
        [...text.matchAll(/^Topic (\d+)$/gm)].map((m) => m[1]),
        ['2', '3'],
      );
      assert.match(text, /- topic 2: no answer came back \(the reply was cut off\)/);
      assert.match(text, /Name topics 2 and 3: one entry per topic, keyed by its number\.$/);
      assert.deepEqual(Object.keys(repair.response_format.json_schema.schema.properties), ['2', '3']);
      assert.equal(repair.max_tokens, 32 + 2 * 260);
      assert.ok(
        text.length < server.requests[0].body.messages[1].content.length,
        'the repair prompt is shorter than the first',
      );
      // Both requests' outcomes are cached: the warm re-run is free and ends the same.
      const warm = new TokenLedger();
      assert.deepEqual(await mk(warm).nameFirmTopics(ACME, TOPICS), named);
      assert.equal(warm.totals().requests, 0);
      assert.equal(warm.totals().cacheHits, 2);
      assert.equal(server.requests.length, 2);
    } finally {
      dir.cleanup();
    }
  });

  test('a repair that fails at the service keeps the valid entries of the first answer', async () => {
    use((r) => {
      if (isRepair(r.body)) return { status: 400, body: 'context too long' };
      const ans = goodNames(r.body);
      ans['1'].name = 'ACME revenue';
      return { chat: JSON.stringify(ans) };
    });
    const reasons: string[] = [];
    const named = await new LlmTopicNamer({
      client: client(),
      onFallback: (_f, why) => reasons.push(why),
    }).nameFirmTopics(ACME, TOPICS);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(
      named.map((n) => n.nameSource),
      ['fallback', 'llm', 'llm'],
    );
    assert.match(reasons[0], /^topic 1: the name contains "ACME".*; the repair failed: .*HTTP 400/);
  });

  test('long names are refused; names are tidied', async () => {
    use((r) => {
      const ans = goodNames(r.body);
      ans['1'].name = isRepair(r.body) ? '"Revenue growth."' : 'A very long name with far too many words';
      return { chat: JSON.stringify(ans) };
    });
    const named = await new LlmTopicNamer({ client: client() }).nameFirmTopics(ACME, TOPICS);
    assert.match(
      server.requests[1].body.messages.at(-1).content,
      /topic 1: the name has 9 words \(at most 6\)/,
    );
    assert.equal(named[0].name, 'Revenue growth');
  });

  test('max_tokens: the caps’ worst case where the context allows, never below the planned tokens per topic', () => {
    const o = { completionTokensPerItem: 120, maxRequestTokens: 7000 };
    assert.equal(maxTokensFor(3, 1500, o), 32 + 3 * ENTRY_MAX_TOKENS);
    assert.equal(maxTokensFor(25, 2000, o), 5000, 'the context left');
    assert.equal(maxTokensFor(50, 3500, o), 32 + 50 * 120, 'the plan when the context is short');
    assert.equal(maxTokensFor(3, 1500, { completionTokensPerItem: 120 }), 32 + 3 * 120);
  });

  test('a service that keeps failing leaves every topic named by keywords, flagged fallback', async () => {
    use(() => ({ status: 503, body: 'down' }));
    const named = await new LlmTopicNamer({
      client: client({ retry: { maxAttempts: 2, baseDelayMs: 5 } }),
    }).nameFirmTopics(ACME, TOPICS);
    assert.equal(server.requests.length, 2);
    assert.deepEqual(
      named.map((n) => [n.id, n.nameSource]),
      TOPICS.map((t) => [t.topicId, 'fallback']),
    );
  });

  test('the budget cap stops requests; later firms fall back without calling', async () => {
    use((r) => ({ chat: JSON.stringify(goodNames(r.body)), usage: { prompt: 900, completion: 100 } }));
    const ledger = new TokenLedger(undefined, { maxTokens: 1500 });
    const namer = new LlmTopicNamer({ client: client({ ledger }) });
    const first = await namer.nameFirmTopics(ACME, TOPICS);
    const second = await namer.nameFirmTopics(
      { ...ACME, firmId: 'BETA', ticker: 'BETA', firmName: null },
      TOPICS,
    );
    assert.equal(server.requests.length, 1);
    assert.ok(first.every((n) => n.nameSource === 'llm'));
    assert.ok(second.every((n) => n.nameSource === 'fallback'));
    assert.equal(ledger.totals().totalTokens, 1000);
  });

  /** The names and their sources when the LLM refuses every request and `fallback` is the fallback namer. */
  async function namedWhenRefused(fallback: TopicNamer): Promise<string[][]> {
    use(() => ({ status: 400, body: 'no' }));
    const named = await new LlmTopicNamer({ client: client(), fallback }).nameFirmTopics(ACME, TOPICS);
    return namesAndSources(named);
  }

  test('a given fallback namer names what the LLM could not', async () => {
    const fallback: TopicNamer = {
      nameFirmTopics: async (_f, ts) =>
        ts.map((t) => ({
          id: t.topicId,
          name: `kw:${t.keywords[0]}`,
          nameSource: 'keywords',
          description: null,
        })),
    };
    assert.deepEqual(await namedWhenRefused(fallback), [
      ['kw:revenue', 'fallback'],
      ['kw:margin', 'fallback'],
      ['kw:buyback', 'fallback'],
    ]);
  });

  test('a fallback namer that throws still leaves keyword names', async () => {
    const broken: TopicNamer = {
      nameFirmTopics: async () => {
        throw new Error('keyword namer broke');
      },
    };
    assert.deepEqual(await namedWhenRefused(broken), [
      ['revenue, growth, demand, customers', 'fallback'],
      ['margin, costs, inflation, pricing', 'fallback'],
      ['buyback, dividend, capital, returns', 'fallback'],
    ]);
  });

  test('a warm re-run from the lake cache sends nothing', async () => {
    const dir = tempDir();
    try {
      use(good);
      const mk = () =>
        new LlmTopicNamer({
          client: client({ cache: new StoreResponseCache(new LocalLakeStore(dir.path)) }),
        });
      const cold = await mk().nameFirmTopics(ACME, TOPICS);
      assert.equal(server.requests.length, 1);
      const warm = await mk().nameFirmTopics(ACME, TOPICS);
      assert.equal(server.requests.length, 1);
      assert.deepEqual(warm, cold);
    } finally {
      dir.cleanup();
    }
  });

  test('sentences shrink to the target size; past the cap a firm is split into requests', async () => {
    use(good);
    const many = Array.from({ length: 30 }, (_, i) =>
      topic(i, [`alpha${i}`, `beta${i}`, `gamma${i}`, 'delta']),
    );
    const namer = new LlmTopicNamer({
      client: client(),
      prompt: { targetPromptTokens: 1200, maxPromptTokens: 1400 },
    });
    const plan = namer.plan(ACME, many);
    assert.ok(plan.chunks.length >= 2, `chunks ${plan.chunks.length}`);
    assert.deepEqual(plan.chunks.flat(), [...many.keys()]);
    const named = await namer.nameFirmTopics(ACME, many);
    assert.equal(server.requests.length, plan.chunks.length);
    assert.equal(named.length, 30);
    assert.ok(named.every((n, i) => n.nameSource === 'llm' && n.name === `Alpha${i} and beta${i}`));
    // shortened sentences: every sentence line at most the minimum-or-more chosen width
    const lines = String(server.requests[0].body.messages[1].content)
      .split('\n')
      .filter((l) => l.startsWith('- '));
    assert.ok(Math.max(...lines.map((l) => l.length - 2)) < 220);
  });
});

describe('LlmThemeNamer', () => {
  test('themes are batched by the per-request cap and mapped back by id', async () => {
    use(good);
    const themes = Array.from({ length: 7 }, (_, i) => ({
      themeId: `2021Q2:th${i}`,
      keywords: [`k${i}`, 'supply', 'chain'],
      memberTopicNames: ['Supply chain delays', 'Freight costs'],
      nFirms: 5,
      nTopics: 9,
    }));
    const named = await new LlmThemeNamer({
      client: client(),
      prompt: { maxThemesPerRequest: 3 },
    }).nameThemes('2021Q2', themes);
    assert.equal(server.requests.length, 3);
    assert.deepEqual(
      named.map((n) => n.name),
      themes.map((t) => `${t.keywords[0].toUpperCase()} and supply`),
    );
    assert.match(
      server.requests[0].body.messages[1].content,
      /topic names: Supply chain delays; Freight costs/,
    );
  });
});

describe('firm terms', () => {
  test('tickers match as words (short ones only in capitals); firm names by their core', () => {
    const t = forbiddenTermsFor({
      firmId: 'x',
      firmName: 'American Water Works Company, Inc.',
      ticker: 'AWK',
      quarter: 'q',
    });
    assert.deepEqual(
      t.map((x) => x.text),
      ['AWK', 'american water works'],
    );
    assert.equal(forbiddenIn('Water infrastructure spending', t).length, 0);
    assert.equal(forbiddenIn('American Water Works rate cases', t).length, 1);
    assert.equal(forbiddenIn('AWK rate cases', t).length, 1);
    assert.equal(forbiddenIn('Hawkish rates', t).length, 0);
    const all = forbiddenTermsFor({ firmId: 'ALL', firmName: null, ticker: 'ALL', quarter: 'q' });
    assert.equal(forbiddenIn('All regions grew', all).length, 0);
    assert.equal(forbiddenIn('ALL auto claims', all).length, 1);
    const agilent = forbiddenTermsFor({ firmId: 'A', firmName: null, ticker: 'A', quarter: 'q' });
    assert.deepEqual(agilent, [], 'one-letter tickers are not checked ("A strong quarter")');
    const gartner = forbiddenTermsFor({
      firmId: 'IT',
      firmName: 'Gartner, Inc.',
      ticker: 'IT',
      quarter: 'q',
    });
    assert.equal(forbiddenIn('IT spending outlook', gartner).length, 0);
    assert.equal(forbiddenIn('Gartner research demand', gartner).length, 1);
    const apple = forbiddenTermsFor({ firmId: 'AAPL', firmName: 'Apple Inc.', ticker: 'AAPL', quarter: 'q' });
    assert.equal(forbiddenIn('apple services growth', apple).length, 1);
    assert.equal(forbiddenIn('aapl demand', apple).length, 1);
  });

  test('truncation cuts at a word boundary and marks the cut', () => {
    assert.equal(truncateText('one two three four five', 12), 'one two…'); // 'one two thr' would cut a word
    assert.equal(truncateText('  short\n text ', 50), 'short text');
  });
});
