/**
 * Requests and tokens per firm to name a call's topics, on real ECTSum calls of one quarter (../shared/data),
 * read by the ECTSum source and prepared as the ingest stage prepares them for the lake (boilerplate filters).
 * Topics (--topics): `synthetic` (default; the numbers recorded before the topic model was on main) cuts each call
 * into contiguous runs of ~10 sentences (about the old system's topics per sentence), keywords by tf-idf of the
 * run against the call, representative sentences by keyword weight; `model` fits the firm topic model (SIF
 * vectors, default settings) as `firm-batch` does. Then every firm is named twice: a cold run (requests sent) and
 * a warm run from the lake cache (expected: zero requests). *
 * Against the scripted TEST SERVER (default), token counts are the server's estimate (4 characters a token);
 * with --url/--model pointing at a real OpenAI-compatible server (llama.cpp, vLLM) they are the model's own.
 *
 * With --real-model the bench starts SmolLM2-135M (test/helpers/llama-openai-server.ts) itself.
 *
 *   node --import @callthemes/common/register-source bench/llm-naming.ts [--quarter 2021Q2] [--firms 60] [--url http://127.0.0.1:8080/v1 --model m]
 *   node --import @callthemes/common/register-source bench/llm-naming.ts --real-model --firms 5 --concurrency 1 --verbose [--topics model] [--dump FILE]
 *     [--only AIG,AME] [--skip 40]   (--skip: start after the first N calls of the listing)
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { matrixFromRows } from '@callthemes/common/cluster';
import { cacheDirFrom, SifEmbedder } from '@callthemes/common/embed';
import { LocalLakeStore } from '@callthemes/common/lake';
import {
  type HttpFetch,
  httpFetch,
  LlmClient,
  StoreResponseCache,
  TokenLedger,
} from '@callthemes/common/llm';
import type { FirmInfo, TopicToName } from '@callthemes/common/naming';
import { LlmTopicNamer, TOPIC_NAMING_STAGE } from '@callthemes/common/naming';
import { createSource, prepareSentences } from '@callthemes/common/sources';
import {
  type LlamaServer,
  llamaRuntimeStatus,
  startLlamaServer,
} from '@callthemes/common/testing/llama-openai-server';
import { goodNames, OpenAiTestServer } from '@callthemes/common/testing/openai-test-server';
import { ECTSUM_DIR } from '@callthemes/common/testing/paths';
import { DEFAULT_FILTER_OPTIONS, tokenize } from '@callthemes/common/text';
import { fitFirmTopics, topicId } from '@callthemes/common/topics';

const opt = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const quarter = opt('quarter', '2021Q2');
const maxFirms = Number(opt('firms', '60'));
const sentencesPerTopic = Number(opt('sentences-per-topic', '10'));
/** `synthetic` (runs of sentences, as before the topic model was on main) or `model` (the firm topic model). */
const topicKind = opt('topics', 'synthetic');
if (topicKind !== 'synthetic' && topicKind !== 'model') {
  console.error(`--topics must be synthetic or model (got ${topicKind})`);
  process.exit(2);
}
let realUrl = opt('url', '');
let realModel = opt('model', 'test-model');
let llamaServer: LlamaServer | null = null;
if (process.argv.includes('--real-model')) {
  const status = llamaRuntimeStatus();
  if (status.skip) {
    console.error(status.skip);
    process.exit(1);
  }
  llamaServer = await startLlamaServer();
  realUrl = llamaServer.url;
  realModel = llamaServer.model;
}
const concurrency = Number(opt('concurrency', '4'));
const verbose = process.argv.includes('--verbose');
/** --dump FILE: every request's messages and the raw answer, one JSON line each (to read what the model gets wrong). */
const dumpFile = opt('dump', '');
const dumpingFetch: HttpFetch = async (input, init) => {
  const res = await httpFetch(input, init);
  const text = await res.text();
  const body = JSON.parse(init.body);
  appendFileSync(
    dumpFile,
    `${JSON.stringify({ messages: body.messages, schema: body.response_format?.json_schema?.schema, status: res.status, answer: text })}\n`,
  );
  return { ok: res.ok, status: res.status, headers: res.headers, text: async () => text };
};

const STOP = new Set(
  (
    'the a an and or of to in on for with at by from as is are was were be been being it its this that these ' +
    'those we our us you your they their he she i me my not no but so if than then there here which who whom ' +
    'what when where how all any each more most other some such only own same too very can will would could ' +
    'should may might must also about into over after before again further once just do does did doing have has ' +
    'had having up down out off because while during through above below between both few nor now well year ' +
    'quarter quarters first second third fourth million billion percent %'
  ).split(' '),
);

function syntheticTopics(firmId: string, sentences: string[]): TopicToName[] {
  const k = Math.max(1, Math.round(sentences.length / sentencesPerTopic));
  const runs: string[][] = Array.from({ length: k }, (_, i) =>
    sentences.slice(Math.floor((i * sentences.length) / k), Math.floor(((i + 1) * sentences.length) / k)),
  );
  const toks = runs.map((r) =>
    r.map((s) => tokenize(s).filter((t) => t.length > 2 && !STOP.has(t) && /[a-z]/.test(t))),
  );
  const df = new Map<string, number>();
  for (const run of toks) for (const t of new Set(run.flat())) df.set(t, (df.get(t) ?? 0) + 1);
  return runs.map((run, i) => {
    const tf = new Map<string, number>();
    for (const t of toks[i].flat()) tf.set(t, (tf.get(t) ?? 0) + 1);
    const w = new Map([...tf].map(([t, c]) => [t, c * Math.log(1 + k / (df.get(t) ?? 1))]));
    const keywords = [...w]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 10)
      .map(([t]) => t);
    const scored = run.map((s, j) => ({ s, score: toks[i][j].reduce((a, t) => a + (w.get(t) ?? 0), 0) }));
    scored.sort((a, b) => b.score - a.score);
    return {
      topicId: `${firmId}:${quarter}:t${i}`,
      size: run.length,
      keywords,
      representativeSentences: scored.slice(0, 3).map((x) => x.s),
    };
  });
}

/** The firm topic model's topics (SIF vectors, default settings, as `firm-batch` fits them). */
async function modelTopics(
  embedder: SifEmbedder,
  firmId: string,
  sentences: string[],
): Promise<TopicToName[]> {
  const rows = await embedder.embed(sentences);
  const fit = await fitFirmTopics(matrixFromRows(rows, embedder.dim), sentences, {}, (terms) =>
    embedder.embed(terms),
  );
  return fit.topics.map((tp, i) => ({
    topicId: topicId(firmId, quarter, i),
    size: tp.members.length,
    keywords: tp.keywords,
    representativeSentences: tp.representatives.map((r) => sentences[r]),
  }));
}

/** The quarter's calls through the ECTSum source and the ingest stage's sentence preparation (the lake's sentences). */
async function loadFirms(): Promise<{ firm: FirmInfo; topics: TopicToName[] }[]> {
  const source = await createSource({ kind: 'ectsum', input: ECTSUM_DIR });
  const listing = await source.listFirms(quarter);
  const only = opt('only', '');
  const skip = Number(opt('skip', '0'));
  const ids = (only ? listing.firms.filter((f) => only.split(',').includes(f.firmId)) : listing.firms)
    .slice(skip, skip + maxFirms)
    .map((f) => f.firmId);
  const out: { firm: FirmInfo; topics: TopicToName[] }[] = [];
  const embedder = topicKind === 'model' ? SifEmbedder.load({ cacheDir: cacheDirFrom() }) : null;
  for await (const r of source.fetchTranscripts(quarter, ids)) {
    if (!r.ok) continue;
    const t = r.transcript;
    const sentences = prepareSentences(t, DEFAULT_FILTER_OPTIONS).sentences.map((x) => x.text);
    const firm: FirmInfo = { firmId: t.firmId, firmName: t.firmName, ticker: t.ticker, quarter };
    const topics = embedder
      ? await modelTopics(embedder, t.firmId, sentences)
      : syntheticTopics(t.firmId, sentences);
    if (topics.length > 0) out.push({ firm, topics });
  }
  await source.close?.();
  return out;
}

const estimate = (s: string) => Math.ceil(s.length / 4);
const firms = await loadFirms();
if (firms.length === 0) {
  console.error(`no ECTSum calls for ${quarter} under ${ECTSUM_DIR}`);
  process.exit(1);
}
let server: OpenAiTestServer | null = null;
let url = realUrl;
if (!url) {
  server = await OpenAiTestServer.start((r) => {
    const content = JSON.stringify(goodNames(r.body));
    const prompt = (r.body.messages as { content: string }[]).reduce(
      (s, m) => s + estimate(m.content) + 4,
      0,
    );
    return { chat: content, usage: { prompt, completion: estimate(content) } };
  });
  url = server.url;
}

const lake = mkdtempSync(join(tmpdir(), 'callthemes-naming-bench-'));
async function pass(label: string) {
  const ledger = new TokenLedger();
  const client = new LlmClient({
    baseUrl: url,
    model: realModel,
    ledger,
    limits: { maxConcurrent: concurrency, requestsPerMinute: 6000 },
    timeoutMs: 600_000,
    cache: new StoreResponseCache(new LocalLakeStore(lake)),
    fetch: dumpFile ? dumpingFetch : undefined,
  });
  const namer = new LlmTopicNamer({
    client,
    onFallback: verbose
      ? (firm, why, n) => process.stderr.write(`${label} ${firm}: ${n} fallback: ${why.slice(0, 300)}\n`)
      : undefined,
  });
  const t0 = performance.now();
  const load0 = loadavg()[0];
  let fallback = 0;
  let topics = 0;
  let firmsRepaired = 0;
  let firmsWithFallback = 0;
  const requestsPerFirm: number[] = [];
  const queue = [...firms];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const f0 = performance.now();
        const named = await namer.nameFirmTopics(f.firm, f.topics);
        topics += named.length;
        const fb = named.filter((n) => n.nameSource !== 'llm').length;
        fallback += fb;
        if (fb > 0) firmsWithFallback++;
        const u = ledger.byScope(TOPIC_NAMING_STAGE)[`${f.firm.firmId}:${quarter}`];
        requestsPerFirm.push(u?.requests ?? 0);
        // More requests than the firm's planned chunks: a repair was sent.
        if ((u?.requests ?? 0) > namer.plan(f.firm, f.topics).chunks.length) firmsRepaired++;
        if (verbose) {
          process.stderr.write(
            `${label} ${f.firm.firmId}: ${named.length} topics, ${u?.requests ?? 0} requests, ` +
              `${u?.promptTokens ?? 0}+${u?.completionTokens ?? 0} tokens, ${fb} fallback, ` +
              `${((performance.now() - f0) / 1000).toFixed(1)} s; e.g. "${named[0]?.name}"\n`,
          );
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const per = Object.values(ledger.byScope(TOPIC_NAMING_STAGE));
  const t = ledger.totals();
  const n = firms.length;
  const tokensPerFirm = per.map((x) => x.totalTokens).sort((a, b) => a - b);
  const p90 = (xs: number[]) =>
    xs.length ? [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.9) - 1] : 0;
  await client.close();
  return {
    run: label,
    firms: n,
    topics,
    topics_per_firm: +(topics / n).toFixed(1),
    requests: t.requests,
    requests_per_firm: +(t.requests / n).toFixed(3),
    requests_per_firm_p90: p90(requestsPerFirm),
    firms_repaired: firmsRepaired,
    cache_hits: t.cacheHits,
    prompt_tokens_per_firm: +(t.promptTokens / n).toFixed(0),
    completion_tokens_per_firm: +(t.completionTokens / n).toFixed(0),
    tokens_per_firm: +(t.totalTokens / n).toFixed(0),
    tokens_per_firm_median: tokensPerFirm.length
      ? tokensPerFirm[Math.floor((tokensPerFirm.length - 1) / 2)]
      : 0,
    tokens_per_firm_p90: p90(tokensPerFirm),
    tokens_per_firm_max: tokensPerFirm.at(-1) ?? 0,
    fallback_topics: fallback,
    firms_with_fallback: firmsWithFallback,
    seconds: +seconds.toFixed(2),
    load_avg_start_end: `${load0.toFixed(1)} / ${loadavg()[0].toFixed(1)}`,
  };
}

try {
  const cold = await pass('cold');
  const warm = await pass('warm');
  console.log(
    JSON.stringify({
      server: server ? 'scripted test server (tokens ≈ chars/4)' : url,
      model: realModel,
      quarter,
      topics: topicKind,
    }),
  );
  console.table([cold, warm]);
  console.log(JSON.stringify([cold, warm]));
} finally {
  await server?.close();
  await llamaServer?.close();
  rmSync(lake, { recursive: true, force: true });
}
