import assert from 'node:assert/strict';
import { test } from 'vitest';
import { matrixFromRows } from '../../src/cluster/matrix.js';
import { fitFirmTopics } from '../../src/topics/firm-model.js';
import {
  CALL_STOP_WORDS,
  callStopWords,
  englishFirstNames,
  mentionedFirstNames,
} from '../../src/topics/stop-words.js';

test('a call’s stop words add the words of its speakers’ and firm’s names to the base list', () => {
  const words = callStopWords({
    firmName: "Aaron's Company, Inc.",
    components: [
      { order: 0, speakerName: 'Operator', speakerRole: 'operator', section: 'prepared', text: '' },
      { order: 1, speakerName: 'Kelly Bengston', speakerRole: 'analyst', section: 'qa', text: '' },
      { order: 2, speakerName: null, speakerRole: 'unknown', section: 'qa', text: '' },
    ],
  });
  for (const w of ['aaron', 'company', 'inc', 'operator', 'kelly', 'bengston']) assert.ok(words.has(w), w);
  // "inc" and "operator" are in the base list already.
  assert.equal(words.size, CALL_STOP_WORDS.size + ['aaron', 'company', 'kelly', 'bengston'].length);
  assert.ok(!words.has('supply') && CALL_STOP_WORDS.has('the') && words.has('the'));
  // The base list itself is left alone.
  assert.ok(!CALL_STOP_WORDS.has('kelly'));
});

test('first names the call writes only as names are stop words; a name it also writes as a word is not', () => {
  const texts = [
    "Thanks, Dave. I'll let Andy take the pricing question.",
    'Grant revenue from the federal program grew, and Andy added that Will Smith joined the board.',
    'We will apply for a new grant next year. DAVE is our inventory system.',
  ];
  const names = mentionedFirstNames(texts);
  // "will" and "grant" are written as words too; "DAVE" in capitals is no evidence either way; "Smith" is
  // in the lists too (names the call only writes capitalized are people here).
  assert.deepEqual([...names].sort(), ['andy', 'dave', 'smith']);
  assert.ok(englishFirstNames().has('randy') && englishFirstNames().has('jen'));
  const words = callStopWords({
    firmName: null,
    components: [
      { order: 0, speakerName: null, speakerRole: 'unknown', section: 'qa', text: texts.join(' ') },
    ],
  });
  assert.ok(words.has('dave') && words.has('andy') && !words.has('grant') && !words.has('federal'));
  // Calendar labels are stop words of every call.
  for (const w of ['q3', 'h2', 'june', 'october']) assert.ok(CALL_STOP_WORDS.has(w), w);
});

test('minTopicDf ranks terms found in enough of the topic’s sentences first and still fills the list', async () => {
  // Two tight groups of 12 sentences. In group A "widget" fills one sentence four times (the highest c-TF-IDF
  // term of A), while "gadget" and "sprocket" appear once in each of three sentences; every other word once.
  const places = ['lake', 'hill', 'road', 'farm', 'barn', 'moss', 'reef', 'dune'];
  const colours = ['red', 'tan', 'gold', 'jade', 'navy', 'teal', 'rose', 'sand'];
  const texts = [
    'widget widget widget widget here.',
    'gadget sprocket alpha.',
    'gadget sprocket bravo.',
    'gadget sprocket charlie.',
    ...places.map((p, i) => `${p} ${colours[i]}.`),
    ...Array.from({ length: 12 }, (_, i) => `other group words pump valve ${i % 3}.`),
  ];
  const rows = texts.map((_, i) => (i < 12 ? [1, 0.001 * i] : [0.001 * i, 1]));
  const base = {
    reducer: 'none' as const,
    maxTopicShare: 1,
    minDf: 1,
    stopWords: new Set<string>(),
    topKeywords: 6,
  };
  const plain = await fitFirmTopics(matrixFromRows(rows), texts, { ...base, minTopicDf: 1 });
  assert.equal(plain.topics.length, 2);
  const a = plain.topics.findIndex((t) => t.members.includes(0));
  assert.equal(plain.topics[a].keywords[0], 'widget');
  const df = await fitFirmTopics(matrixFromRows(rows), texts, { ...base, minTopicDf: 3 });
  const kw = df.topics[a].keywords;
  // Terms in ≥ 3 of the topic's sentences first; then the rest by c-TF-IDF, led by the one-sentence "widget".
  assert.deepEqual(kw.slice(0, 3).sort(), ['gadget', 'gadget sprocket', 'sprocket']);
  assert.deepEqual(kw.slice(3, 5), ['widget', 'widget widget']);
  assert.equal(kw.length, 6);
});
