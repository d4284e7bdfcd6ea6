import assert from 'node:assert/strict';
import { test } from 'vitest';
import { SifEmbedder } from '../../src/embed/sif.js';
import type { TopicNamer } from '../../src/naming/types.js';
import { createTopicAnalyzer, type FirmTimings } from '../../src/topics/analyzer.js';
import { exampleCall } from '../helpers/example-call.js';

const embedder = SifEmbedder.load();

test('the analyzer returns topic rows and a topic id (or null) per sentence, named through the namer seam', async () => {
  const { transcript, sentences } = await exampleCall('AIG');
  const seen: string[][] = [];
  const namer: TopicNamer = {
    async nameFirmTopics(firm, topics) {
      assert.equal(firm.firmId, 'AIG');
      seen.push(...topics.map((t) => t.representativeSentences));
      return topics.map((t) => ({
        id: t.topicId,
        name: `named ${t.topicId}`,
        nameSource: 'llm',
        description: 'd',
      }));
    },
  };
  let timings: FirmTimings | null = null;
  const analyzer = createTopicAnalyzer({ embedder, namer, onTimings: (t) => (timings = t) });
  const res = await analyzer(transcript, sentences);
  assert.ok(res.topicRows.length >= 2);
  assert.equal(res.topicOfSentence.length, sentences.length);
  res.topicRows.forEach((row, i) => {
    assert.equal(row.topic_id, `AIG:2021Q2:t${i}`);
    assert.equal(row.name, `named AIG:2021Q2:t${i}`);
    assert.equal(row.name_source, 'llm');
    assert.equal(row.size, res.topicOfSentence.filter((t) => t === row.topic_id).length);
  });
  // Representative texts given to the namer are the sentences the rows point at.
  const byId = new Map(sentences.map((s) => [s.sentenceId, s.text]));
  assert.deepEqual(
    (res.topicRows[0].representative_sentence_ids as string[]).map((id) => byId.get(id)),
    seen[0],
  );
  assert.equal(timings!.nTopics, res.topicRows.length);
});

test('a namer that returns the wrong number of names fails the firm with a clear reason', async () => {
  const { transcript, sentences } = await exampleCall('AIG');
  const analyzer = createTopicAnalyzer({ embedder, namer: { nameFirmTopics: async () => [] } });
  await assert.rejects(analyzer(transcript, sentences), /namer returned 0 names for \d+ topics/);
});
