import assert from 'node:assert/strict';
import { test } from 'vitest';
import { cosine } from '../../src/cluster/matrix.js';
import { SifEmbedder } from '../../src/embed/sif.js';
import type { Embedder } from '../../src/embed/types.js';
import { contentText } from '../../src/text/terms.js';
import { createTopicAnalyzer, embeddingTexts } from '../../src/topics/analyzer.js';
import { CALL_STOP_WORDS, callStopWords } from '../../src/topics/stop-words.js';
import { exampleCall } from '../helpers/example-call.js';

test('contentText keeps the words that are not stop words, in order; a sentence of call speech alone stays whole', () => {
  assert.equal(
    contentText("Yeah, I think lumber prices kind of doubled in Q3, as we've said.", CALL_STOP_WORDS),
    'lumber prices doubled',
  );
  assert.equal(contentText("The company's margins", CALL_STOP_WORDS), "company's margins");
  const filler = "Yes, I think that's right, thanks.";
  assert.equal(contentText(filler, CALL_STOP_WORDS), filler);
});

test('sentences that differ only in call speech get the same vector; the subject, not the hedging, sets it', () => {
  const sif = SifEmbedder.load();
  const [a, b, c] = embeddingTexts(
    [
      'I think, you know, demand for lumber was really strong in June.',
      'Demand for lumber was strong, I guess.',
      'I think, you know, we were really pleased in June, frankly.',
    ],
    CALL_STOP_WORDS,
  ).map((t) => sif.embedOne(t));
  assert.ok(cosine(a, b) > 0.999, `same subject: cosine ${cosine(a, b)}`);
  // With the whole sentences, the shared hedging makes the first and third alike; without it they are not.
  const [fa, , fc] = [
    'I think, you know, demand for lumber was really strong in June.',
    '',
    'I think, you know, we were really pleased in June, frankly.',
  ].map((t) => sif.embedOne(t));
  assert.ok(cosine(a, c) < cosine(fa, fc) - 0.1, `content ${cosine(a, c)} vs full ${cosine(fa, fc)}`);
});

test('the analyzer gives an embedder that averages word vectors each sentence without the call’s stop words; others whole sentences', async () => {
  const call = await exampleCall('AIG');
  const sif = SifEmbedder.load();
  const given: string[] = [];
  const recording = (averagesWords: boolean): Embedder => ({
    model: sif.model,
    dim: sif.dim,
    averagesWords,
    async embed(texts) {
      given.push(...texts);
      return sif.embed(texts);
    },
  });
  const stop = callStopWords(call.transcript);
  const texts = call.sentences.map((s) => s.text);
  const run = async (embedder: Embedder, embedText?: 'content' | 'full') => {
    given.length = 0;
    await createTopicAnalyzer({ embedder, ...(embedText ? { embedText } : {}) })(
      call.transcript,
      call.sentences,
    );
    // The sentences come first (the keyword embedder of MMR is not used by default).
    return given.slice(0, texts.length);
  };
  const content = embeddingTexts(texts, stop);
  assert.ok(content.some((c, i) => c !== texts[i]));
  assert.deepEqual(await run(recording(true)), content, 'an embedder that averages word vectors');
  assert.deepEqual(await run(recording(false)), texts, 'a contextual embedder reads whole sentences');
  assert.deepEqual(await run(recording(true), 'full'), texts);
  assert.deepEqual(await run(recording(false), 'content'), content);
  assert.equal(sif.averagesWords, true);
});
