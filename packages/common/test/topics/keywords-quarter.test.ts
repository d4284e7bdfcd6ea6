/**
 * The firm stage over a whole shared quarter of full calls (Motley JSON 2021Q2, 249 calls), as `firm-batch`
 * runs it: the analyzer with the SIF embedder, the default model and the keyword namer. Before the keyword fill,
 * 26 of its 4,053 topics had fewer than five keywords (one had a single keyword).
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { SifEmbedder } from '../../src/embed/sif.js';
import { prepareSentences } from '../../src/sources/prepare-sentences.js';
import { createSource } from '../../src/sources/registry.js';
import { createTopicAnalyzer } from '../../src/topics/analyzer.js';
import { callStopWords } from '../../src/topics/stop-words.js';
import { MOTLEY_DIR, needsSharedData } from '../helpers/paths.js';

const QUARTER = '2021Q2';

test(
  `every topic of every Motley ${QUARTER} call has ≥ 5 keywords, none a stop word, and a name from them`,
  needsSharedData(),
  async () => {
    const source = await createSource({ kind: 'motley-json', input: MOTLEY_DIR });
    const ids = (await source.listFirms(QUARTER as never)).firms.map((f) => f.firmId);
    const analyze = createTopicAnalyzer({ embedder: SifEmbedder.load() });
    let calls = 0;
    let topics = 0;
    const short: string[] = [];
    const placeholders: string[] = [];
    const stopped: string[] = [];
    for await (const f of source.fetchTranscripts(QUARTER as never, ids)) {
      if (!f.ok) throw new Error(`${f.reject.sourceRef}: ${f.reject.reason}`);
      const sentences = prepareSentences(f.transcript, { minTokens: 5 }).sentences;
      const a = await analyze(f.transcript, sentences);
      const stop = callStopWords(f.transcript);
      calls++;
      for (const r of a.topicRows) {
        topics++;
        const kws = r.keywords as string[];
        if (kws.length < 5) short.push(`${r.topic_id} ${JSON.stringify(kws)}`);
        if (new Set(kws).size !== kws.length) short.push(`${r.topic_id} repeats ${JSON.stringify(kws)}`);
        if (/^topic \d+$/.test(String(r.name))) placeholders.push(`${r.topic_id} ${String(r.name)}`);
        for (const k of kws) if (k.split(' ').some((w) => stop.has(w))) stopped.push(`${r.topic_id} ${k}`);
      }
    }
    await source.close?.();
    assert.equal(calls, ids.length);
    assert.equal(calls, 249);
    // A whole quarter: thousands of topics (4,035 at the defaults when this was written).
    assert.ok(topics > 3500, `${topics} topics`);
    assert.deepEqual(short, []);
    assert.deepEqual(placeholders, []);
    assert.deepEqual(stopped, []);
  },
);
