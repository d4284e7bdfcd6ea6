import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LocalLakeStore, PartitionWriter, readManifest } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { HttpClassifier, LexiconClassifier, LocalServiceCalls } from '@callthemes/common/sentiment';
import { createSource } from '@callthemes/common/sources';
import { startClassifyTestServer } from '@callthemes/common/testing/classify-test-server';
import { CLI_BIN, EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runFirmStage } from '../src/firm-stage.js';
import { runSentimentStage, sentimentFirms } from '../src/sentiment-stage.js';

const Q = '2021Q2';

describe('sentiment stage over a lake ingested from the shipped sample', () => {
  const tmp = tempDir('callthemes-sentiment-');
  const store = new LocalLakeStore(join(tmp.path, 'lake'));
  let firms: string[];
  let nSentences: number;

  beforeAll(async () => {
    const source = await createSource({ kind: 'ectsum', input: EXAMPLES_ECTSUM });
    const listing = await source.listFirms(Q);
    await runFirmStage({
      store,
      source,
      quarter: Q,
      batch: 0,
      batchSize: 1000,
      runId: 'test-ingest',
      flushEvery: 50,
      filter: { minTokens: 5 },
      firms: listing.firms,
    });
    const q = await LakeQuery.open(store);
    firms = await sentimentFirms(q, Q);
    nSentences = Number((await q.rows(`SELECT count(*) AS n FROM sentences WHERE quarter = '${Q}'`))[0].n);
    q.close();
  });
  afterAll(() => tmp.cleanup());

  it('labels every kept sentence exactly once across batches, each batch its slice of sorted firms', async () => {
    assert.equal(firms.length, 30);
    assert.deepEqual(firms, [...firms].sort());
    const clf = new LexiconClassifier();
    for (let b = 0; b < 4; b++) {
      const res = await runSentimentStage({
        store,
        quarter: Q,
        batch: b,
        batchSize: 8,
        runId: 'r1',
        classifier: clf,
        flushEvery: 3,
      });
      assert.deepEqual(res.manifest?.items, firms.slice(b * 8, (b + 1) * 8));
      assert.equal(res.manifest?.parts.sentence_sentiment.length, Math.ceil(res.manifest!.items.length / 3));
      assert.equal(res.labels.positive + res.labels.negative + res.labels.neutral, res.sentences);
    }
    const q = await LakeQuery.open(store);
    const [row] = await q.rows(
      `SELECT count(*) AS n, count(DISTINCT s.sentence_id) AS d, count(ss.sentence_id) AS labelled, ` +
        `min(ss.score) AS lo, max(ss.score) AS hi FROM sentences s LEFT JOIN sentence_sentiment ss ` +
        `ON s.sentence_id = ss.sentence_id AND s.quarter = ss.quarter WHERE s.quarter = '${Q}'`,
    );
    const [dup] = await q.rows(
      `SELECT count(*) - count(DISTINCT sentence_id) AS dups FROM sentence_sentiment`,
    );
    q.close();
    assert.equal(row.n, nSentences);
    assert.equal(row.labelled, nSentences);
    assert.equal(dup.dups, 0);
    assert.ok((row.lo as number) >= 0 && (row.hi as number) <= 1);
    // The labels equal the classifier's own answers for the same texts.
    const q2 = await LakeQuery.open(store);
    const sample = await q2.rows(
      `SELECT s.text, ss.label FROM sentences s JOIN sentence_sentiment ss USING (sentence_id, quarter) ` +
        `WHERE s.firm_id = 'AFL' ORDER BY s.position`,
    );
    q2.close();
    const direct = await clf.classify(sample.map((r) => String(r.text)));
    assert.deepEqual(
      sample.map((r) => r.label),
      direct.map((d) => d.label),
    );
  });

  it('replaces its own parts on a re-run with a smaller flush size: no duplicates', async () => {
    const clf = new LexiconClassifier();
    await runSentimentStage({
      store,
      quarter: Q,
      batch: 0,
      batchSize: 8,
      runId: 'r2',
      classifier: clf,
      flushEvery: 2,
    });
    const m = await readManifest(store, Q, 'sentiment', 0);
    assert.equal(m?.runId, 'r2');
    assert.equal(m?.parts.sentence_sentiment.length, 4);
    const q = await LakeQuery.open(store);
    const [row] = await q.rows(
      `SELECT count(*) AS n, count(DISTINCT sentence_id) AS d FROM sentence_sentiment`,
    );
    q.close();
    assert.equal(row.n, nSentences);
    assert.equal(row.d, nSentences);
  });

  it('rejects the firm a served model refuses, and labels the others of its group', async () => {
    // "Baxter" appears only in AAP's call (2021Q2) in the sample.
    const server = await startClassifyTestServer({ refuseTextsContaining: 'Baxter' });
    try {
      const clf = new HttpClassifier({
        url: server.url,
        api: 'tei',
        model: 'test-served-model',
        calls: new LocalServiceCalls({ sleep: () => Promise.resolve() }),
      });
      const res = await runSentimentStage({
        store,
        quarter: Q,
        batch: 0,
        batchSize: 8,
        runId: 'r3',
        classifier: clf,
      });
      assert.equal(res.firmsRejected, 1);
      assert.equal(res.firmsOk, 7);
      assert.deepEqual(res.manifest?.items, firms.slice(1, 8));
      const q = await LakeQuery.open(store);
      const rejects = await q.rows(`SELECT firm_id, stage, reason FROM rejects WHERE stage = 'sentiment'`);
      const models = await q.rows(
        `SELECT model, count(*) AS n FROM sentence_sentiment WHERE sentence_id LIKE 'AAP:%' OR model = 'test-served-model' GROUP BY 1`,
      );
      q.close();
      assert.equal(rejects.length, 1);
      assert.equal(rejects[0].firm_id, 'AAP');
      assert.match(String(rejects[0].reason), /HTTP 400 .*input refused/);
      // AAP's earlier labels were part of this batch's parts, so the re-run removed them.
      assert.deepEqual(
        models.map((m) => m.model),
        ['test-served-model'],
      );
    } finally {
      await server.close();
    }
  });

  it('rejects a firm that has no sentences in the lake', async () => {
    const writer = new PartitionWriter({
      store,
      stage: 'firm',
      quarter: Q,
      batch: 99,
      batchSize: 1,
      runId: 'extra',
      tables: ['firms'],
      flushEvery: 1,
    });
    await writer.addItem('ZZZZ', {
      firms: [
        {
          firm_id: 'ZZZZ',
          firm_name: null,
          ticker: 'ZZZZ',
          fiscal_quarter: null,
          call_date: null,
          source: 'test',
          transcript_id: 'none',
          n_sentences_raw: 0,
          n_sentences: 0,
          n_dropped_operator: 0,
          n_dropped_safe_harbor: 0,
          n_dropped_non_gaap: 0,
          n_dropped_greeting: 0,
          n_dropped_short: 0,
          n_topics: 0,
          seconds: 0,
          status: 'ok',
          run_id: 'extra',
        },
      ],
    });
    await writer.finish();
    const res = await runSentimentStage({
      store,
      quarter: Q,
      batch: 3,
      batchSize: 8,
      runId: 'r4',
      classifier: new LexiconClassifier(),
    });
    assert.deepEqual(res.manifest?.items, firms.slice(24));
    assert.equal(res.firmsRejected, 1);
    const q = await LakeQuery.open(store);
    const rejects = await q.rows(`SELECT reason FROM rejects WHERE firm_id = 'ZZZZ'`);
    q.close();
    assert.match(String(rejects[0].reason), /no sentences in the lake/);
  });

  it('stops after the current group when aborted, leaving the finished manifest alone', async () => {
    const ac = new AbortController();
    ac.abort();
    const res = await runSentimentStage({
      store,
      quarter: Q,
      batch: 3,
      batchSize: 8,
      runId: 'r5',
      classifier: new LexiconClassifier(),
      groupSentences: 1,
      signal: ac.signal,
    });
    assert.equal(res.interrupted, true);
    assert.equal(res.manifest, null);
    assert.equal(res.firmsOk, 1);
    assert.equal((await readManifest(store, Q, 'sentiment', 3))?.runId, 'r4');
    const done = await runSentimentStage({
      store,
      quarter: Q,
      batch: 3,
      batchSize: 8,
      runId: 'r6',
      classifier: new LexiconClassifier(),
      manifestExtra: { fingerprint: 'abc' },
    });
    assert.equal((await readManifest(store, Q, 'sentiment', 3))?.fingerprint, 'abc');
    assert.equal(done.manifest?.runId, 'r6');
  });

  it('runs from the CLI against a served model, the API key only from the environment', async () => {
    const server = await startClassifyTestServer();
    try {
      const args = [CLI_BIN, 'sentiment', '--quarter', Q, '--lake', join(tmp.path, 'lake')];
      args.push('--batch', '2', '--batch-size', '8', '--sentiment-url', server.url, '--sentiment-api', 'tei');
      const child = spawn(process.execPath, args, {
        env: { ...process.env, CALLTHEMES_FROM_SOURCE: '1', CALLTHEMES_SENTIMENT_API_KEY: 'sk-test-key-42' },
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      const code = await new Promise<number | null>((r) => child.on('close', r));
      assert.equal(code, 0, out);
      assert.match(
        out,
        /labelled \d+ sentences of 8 firms \(0 rejected\) for 2021Q2 with yiyanghkust\/finbert-tone/,
      );
      assert.ok(!out.includes('sk-test-key-42'));
      assert.ok(server.received.length > 0);
      assert.ok(server.received.every((r) => r.authorization === 'Bearer sk-test-key-42'));
      const q = await LakeQuery.open(store);
      const [row] = await q.rows(
        `SELECT count(*) AS n FROM sentence_sentiment WHERE model = 'yiyanghkust/finbert-tone'`,
      );
      q.close();
      assert.equal(
        row.n,
        server.answered.reduce((a, b) => a + b, 0),
      );
    } finally {
      await server.close();
    }
  });

  it('runs from the CLI, and refuses bad flags with exit 2', () => {
    const cli = (args: string[]) =>
      spawnSync(process.execPath, [CLI_BIN, ...args], {
        encoding: 'utf8',
        env: { ...process.env, CALLTHEMES_FROM_SOURCE: '1' },
      });
    const lake = join(tmp.path, 'lake');
    const ok = cli(['sentiment', '--quarter', Q, '--lake', lake, '--batch', '1', '--batch-size', '8']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /labelled \d+ sentences of 8 firms \(0 rejected\) for 2021Q2 with lexicon-vader-fin-v1/,
    );
    // The sentiment stage reads no source and no chat or embedding model: such a flag is refused, not ignored.
    const unread = cli(['sentiment', '--quarter', Q, '--lake', lake, '--source', 'ectsum']);
    assert.equal(unread.status, 2);
    assert.match(unread.stderr, /unknown option '--source'/);
    const out = cli(['sentiment', '--quarter', Q, '--lake', lake, '--batch', '9', '--batch-size', '8']);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /batch 9 is out of range: 2021Q2 has 4 batch\(es\) of 8 firms/);
    const api = cli([
      'sentiment',
      '--quarter',
      Q,
      '--lake',
      lake,
      '--sentiment-url',
      'http://127.0.0.1:1',
      '--sentiment-api',
      'grpc',
    ]);
    assert.equal(api.status, 2);
    assert.match(api.stderr, /unknown sentiment API "grpc"/);
    const empty = cli(['sentiment', '--quarter', '2019Q1', '--lake', lake]);
    assert.equal(empty.status, 1);
    assert.match(empty.stderr, /no firms for 2019Q1/);
    const help = cli(['sentiment', '--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Example:\n {2}callthemes sentiment --quarter/);
  });
});
