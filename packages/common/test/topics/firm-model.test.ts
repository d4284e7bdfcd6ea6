import assert from 'node:assert/strict';
import { test } from 'vitest';
import { cosine, matrixFromRows, normalizeRows, rowOf } from '../../src/cluster/matrix.js';
import { SifEmbedder } from '../../src/embed/sif.js';
import { prepareSentences } from '../../src/sources/prepare-sentences.js';
import { createSource } from '../../src/sources/registry.js';
import { fitFirmTopics, reassignOutliers, relabelBySize } from '../../src/topics/firm-model.js';
import { MOTLEY_DIR, needsSharedData } from '../helpers/paths.js';

const embedder = SifEmbedder.load();

test('topics are numbered by size, ties by first member', () => {
  const labels = Int32Array.from([2, 0, 0, -1, 1, 1, 2, 1]);
  assert.deepEqual([...relabelBySize(labels, 3)], [1, 2, 2, -1, 0, 0, 1, 0]);
});

test('outlier reassignment takes the most similar centroid only at or above the threshold', () => {
  const m = matrixFromRows([
    [1, 0],
    [1, 0.1],
    [0, 1],
    [0.1, 1],
    [0.9, 0.3],
    [-1, -1],
  ]);
  const labels = Int32Array.from([0, 0, 1, 1, -1, -1]);
  assert.deepEqual([...reassignOutliers(m, labels, 2, 0.5)], [0, 0, 1, 1, 0, -1]);
  assert.deepEqual([...reassignOutliers(m, labels, 2, 0.999)], [0, 0, 1, 1, -1, -1]);
});

async function motleyCall(quarter: string, firmId: string) {
  const source = await createSource({ kind: 'motley-json', input: MOTLEY_DIR });
  for await (const f of source.fetchTranscripts(quarter as never, [firmId])) {
    if (!f.ok) throw new Error(f.reject.reason);
    return prepareSentences(f.transcript, { minTokens: 5 }).sentences.map((s) => s.text);
  }
  throw new Error('no transcript');
}

test(
  'a full call (AAP 2021Q1): 8–40 topics, members, keywords, representatives; same seed, same topics',
  needsSharedData(),
  async () => {
    const texts = await motleyCall('2021Q1', 'AAP');
    const m = matrixFromRows(await embedder.embed(texts), embedder.dim);
    const fit = await fitFirmTopics(m, texts, { seed: 42 });
    const n = texts.length;
    assert.ok(fit.topics.length >= 8 && fit.topics.length <= 40, `${fit.topics.length} topics`);
    const outliers = fit.labels.filter((l) => l < 0).length;
    assert.equal(outliers, fit.nOutliersBefore);
    assert.ok(outliers / n <= 0.35, `outlier share ${outliers / n}`);
    const unit = normalizeRows(m);
    for (const [t, topic] of fit.topics.entries()) {
      assert.ok(topic.members.length >= Math.max(5, Math.round(n / 50)));
      if (t > 0) assert.ok(topic.members.length <= fit.topics[t - 1].members.length);
      assert.ok(topic.members.every((i) => fit.labels[i] === t));
      assert.equal(topic.keywords.length, 10);
      assert.ok(
        topic.representatives.length === 5 && topic.representatives.every((r) => topic.members.includes(r)),
      );
      // The first representative is the member closest to the centroid.
      const best = Math.max(...topic.members.map((i) => cosine(rowOf(unit, i), topic.centroid)));
      assert.ok(Math.abs(cosine(rowOf(unit, topic.representatives[0]), topic.centroid) - best) < 1e-9);
    }
    const again = await fitFirmTopics(m, texts, { seed: 42 });
    assert.deepEqual(again.labels, fit.labels);
    assert.deepEqual(
      again.topics.map((t) => t.keywords),
      fit.topics.map((t) => t.keywords),
    );
    // With a threshold, outliers near a topic join it and the rest stay out.
    const re = await fitFirmTopics(m, texts, { seed: 42, outlierThreshold: 0.5 });
    const left = re.labels.filter((l) => l < 0).length;
    assert.ok(left < outliers && re.nOutliersBefore === outliers);
  },
);

test('a short call still gets topics or none at all, never an error', async () => {
  const texts = [
    'Revenue grew strongly this period.',
    'Margins expanded on pricing.',
    'We opened new stores.',
  ];
  const m = matrixFromRows(await embedder.embed(texts), embedder.dim);
  const fit = await fitFirmTopics(m, texts);
  assert.equal(fit.topics.length, 0);
  assert.deepEqual([...fit.labels], [-1, -1, -1]);
});
