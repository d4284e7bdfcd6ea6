/**
 * The theme stage on real topics: the 30 example ECTSum firms of 2021Q1 and 2021Q2 run through the firm stage
 * (SIF embeddings, firm topic model, keyword names), then `themes` for both quarters.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cosine } from '@callthemes/common/cluster';
import { SifEmbedder } from '@callthemes/common/embed';
import {
  type LakeStore,
  openStore,
  partKey,
  scratchFile,
  TABLES,
  writeParquet,
} from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { createSource } from '@callthemes/common/sources';
import { runCli } from '@callthemes/common/testing/cli';
import { EXAMPLES_ECTSUM, inTempDir, tempDir } from '@callthemes/common/testing/paths';
import type { LineageOptions, TopicRecord } from '@callthemes/common/themes';
import { firmShares, fitThemes, linkThemesStreamed } from '@callthemes/common/themes';
import { createTopicAnalyzer } from '@callthemes/common/topics';
import { runFirmStage } from '@callthemes/firm-worker';
import { afterAll, beforeAll, test } from 'vitest';
import { readEarlierThemes, readLineageSide, readQuarterTopics } from '../src/theme-io.js';
import { runThemeStage, type ThemeStageResult, themeTableKey } from '../src/theme-stage.js';

const lake = tempDir('callthemes-themes-');
let store: LakeStore;
let q1: ThemeStageResult;
let q2: ThemeStageResult;
let topics2: TopicRecord[];

beforeAll(async () => {
  store = openStore(lake.path);
  const embedder = SifEmbedder.load();
  const analyzer = createTopicAnalyzer({ embedder, model: { seed: 42 } });
  for (const quarter of ['2021Q1', '2021Q2']) {
    const source = await createSource({ kind: 'ectsum', input: EXAMPLES_ECTSUM });
    await runFirmStage({
      store,
      source,
      quarter,
      batch: 0,
      batchSize: 100,
      runId: 'test',
      flushEvery: 50,
      filter: { minTokens: 5 },
      analyzer,
    });
  }
  q1 = await runThemeStage({ store, quarter: '2021Q1', runId: 'test-q1', keywordEmbedder: embedder });
  // 30 firms give a handful of broad themes; a lower link threshold than the default 0.5 keeps the lineage
  // assertions meaningful at this size (bench/themes/lineage.ts measures the default on 436 firms).
  q2 = await runThemeStage({
    store,
    quarter: '2021Q2',
    runId: 'test-q2',
    keywordEmbedder: embedder,
    lineage: { linkAt: 0.3 },
  });
  topics2 = (await readQuarterTopics(store, '2021Q2')).topics;
});

afterAll(() => lake.cleanup());

async function rows(sql: string) {
  const q = await LakeQuery.open(store);
  try {
    return await q.rows(sql);
  } finally {
    q.close();
  }
}

test('themes of a real quarter: ids by size, every theme passes validation, counts match topic_themes', async () => {
  assert.ok(q2.stats.topics > 150, `${q2.stats.topics} topics`);
  assert.ok(q2.stats.themes >= 3, `${q2.stats.themes} themes`);
  const themes = await rows(
    "SELECT theme_id, n_topics, n_firms, dominance, keywords, name, name_source, centroid FROM themes WHERE quarter = '2021Q2'",
  );
  const byIndex = themes.sort(
    (a, b) => Number((a.theme_id as string).split(':th')[1]) - Number((b.theme_id as string).split(':th')[1]),
  );
  assert.deepEqual(
    byIndex.map((t) => t.theme_id),
    byIndex.map((_, i) => `2021Q2:th${i}`),
  );
  for (let i = 1; i < byIndex.length; i++)
    assert.ok(Number(byIndex[i].n_topics) <= Number(byIndex[i - 1].n_topics));
  const members = await rows(
    `SELECT tt.theme_id, count(*) AS n, count(DISTINCT t.firm_id) AS firms, max(c) AS top
     FROM topic_themes tt JOIN topics t USING (topic_id, quarter)
     JOIN (SELECT tt2.theme_id, t2.firm_id, count(*) AS c FROM topic_themes tt2 JOIN topics t2 USING (topic_id, quarter)
           WHERE tt2.quarter = '2021Q2' GROUP BY ALL) USING (theme_id, firm_id)
     WHERE tt.quarter = '2021Q2' GROUP BY tt.theme_id`,
  );
  const m = new Map(members.map((r) => [r.theme_id as string, r]));
  for (const t of byIndex) {
    const r = m.get(t.theme_id as string)!;
    assert.equal(Number(r.n), Number(t.n_topics));
    assert.equal(Number(r.firms), Number(t.n_firms));
    assert.ok(Number(t.n_firms) >= 3, `${t.theme_id} has ${t.n_firms} firms`);
    assert.ok(Math.abs(Number(t.dominance) - Number(r.top) / Number(r.n)) < 1e-9);
    assert.ok(Number(t.dominance) <= 0.4);
    assert.equal((t.keywords as string[]).length, 10);
    assert.equal(t.name_source, 'keywords');
    assert.ok((t.name as string).length > 0);
    assert.equal((t.centroid as number[]).length, 100);
  }
  // Every themed topic appears once and exists; unthemed + themed = all topics.
  const dup = await rows(
    "SELECT count(*) AS n, count(DISTINCT topic_id) AS d FROM topic_themes WHERE quarter = '2021Q2'",
  );
  assert.equal(Number(dup[0].n), Number(dup[0].d));
  assert.equal(Number(dup[0].n), Math.round(q2.stats.coverage * q2.stats.topics));
  assert.equal(q2.manifest.rows.topic_themes, Number(dup[0].n));
  assert.equal(q2.manifest.rows.themes, themes.length);
});

test('topic_themes similarity is the cosine of topic and theme centroids', async () => {
  const r = await rows(
    `SELECT t.centroid AS tc, th.centroid AS hc, tt.similarity FROM topic_themes tt
     JOIN topics t USING (topic_id, quarter) JOIN themes th USING (theme_id, quarter)
     WHERE tt.quarter = '2021Q2' ORDER BY tt.topic_id LIMIT 25`,
  );
  for (const x of r)
    assert.ok(Math.abs(cosine(x.tc as number[], x.hc as number[]) - Number(x.similarity)) < 1e-5);
});

test('stats add up: themed + failed-cluster + unattached noise topics = all topics', () => {
  for (const s of [q1.stats, q2.stats]) {
    const themed = Math.round(s.coverage * s.topics);
    assert.equal(themed + s.topicsInFailedClusters + (s.noiseTopics - s.attachedNoise), s.topics);
    assert.equal(s.clusters, s.themes + s.failedFewFirms + s.failedDominance + s.failedFiller);
  }
});

test('validation rules on real topics: failed themes leave topics unthemed and are counted', () => {
  const base = fitThemes(topics2, { seed: 42 });
  assert.ok(base.stats.clusters > 0);
  // No cluster can satisfy a 1,000-firm minimum: all fail for too few firms, nothing is themed.
  const few = fitThemes(topics2, { seed: 42, minFirms: 1000 });
  assert.equal(few.stats.clusters, base.stats.clusters);
  assert.equal(few.stats.failedFewFirms, base.stats.clusters);
  assert.equal(few.themes.length, 0);
  assert.equal(few.stats.coverage, 0);
  assert.ok(few.themeOf.every((t) => t === -1));
  assert.equal(few.stats.topicsInFailedClusters, few.stats.topics - few.stats.noiseTopics);
  // A dominance cap below 1/n_firms for every cluster fails them all as dominated.
  const dom = fitThemes(topics2, { seed: 42, maxDominance: 0.001 });
  assert.equal(dom.stats.failedDominance, base.stats.clusters);
  assert.equal(dom.themes.length, 0);
  // With the defaults every theme obeys the rules, attached noise included.
  for (const t of base.themes) {
    const s = firmShares(t.members.map((i) => topics2[i].firmId));
    assert.ok(s.nFirms >= 3 && s.dominance <= 0.4);
    assert.equal(s.nFirms, t.nFirms);
  }
  // Without attachment, coverage can only fall, and theme members are exactly HDBSCAN's clusters.
  const strict = fitThemes(topics2, { seed: 42, attachNoiseAt: 1 });
  assert.equal(strict.stats.attachedNoise, 0);
  assert.ok(strict.stats.coverage <= base.stats.coverage);
});

test('same seed, same themes', () => {
  const a = fitThemes(topics2, { seed: 7 });
  const b = fitThemes(topics2, { seed: 7 });
  assert.deepEqual([...a.themeOf], [...b.themeOf]);
  assert.deepEqual(
    a.themes.map((t) => t.keywords),
    b.themes.map((t) => t.keywords),
  );
});

test('lineage: 2021Q2 themes link to 2021Q1, the previous processed quarter', async () => {
  assert.equal(q1.previousQuarter, null);
  assert.equal(q2.previousQuarter, '2021Q1');
  assert.ok(q2.links.length > 0, 'some themes continue from 2021Q1');
  const links = await rows(
    "SELECT from_theme_id, to_theme_id, similarity FROM theme_links WHERE quarter = '2021Q2'",
  );
  assert.equal(links.length, q2.links.length);
  const ids1 = new Set(
    (await rows("SELECT theme_id FROM themes WHERE quarter = '2021Q1'")).map((r) => r.theme_id),
  );
  const ids2 = new Set(
    (await rows("SELECT theme_id FROM themes WHERE quarter = '2021Q2'")).map((r) => r.theme_id),
  );
  for (const l of links) {
    assert.ok(ids1.has(l.from_theme_id), `${l.from_theme_id} is a 2021Q1 theme`);
    assert.ok(ids2.has(l.to_theme_id), `${l.to_theme_id} is a 2021Q2 theme`);
    assert.ok(Number(l.similarity) >= 0.3 && Number(l.similarity) <= 1);
  }
  // A link's similarity is the documented mix, and member overlap > 0 means the two themes share firms.
  for (const l of q2.links)
    assert.ok(
      Math.abs(
        l.similarity - (0.5 * Math.min(1, Math.max(0, l.centroidSimilarity)) + 0.5 * l.memberOverlap),
      ) < 1e-9,
    );
  const shared = await rows(
    `SELECT l.from_theme_id, l.to_theme_id FROM theme_links l
     JOIN topic_themes ta ON ta.theme_id = l.from_theme_id JOIN topics a ON a.topic_id = ta.topic_id
     JOIN topic_themes tb ON tb.theme_id = l.to_theme_id JOIN topics b ON b.topic_id = tb.topic_id
     WHERE a.firm_id = b.firm_id GROUP BY ALL`,
  );
  const sharing = new Set(shared.map((r) => `${r.from_theme_id}>${r.to_theme_id}`));
  for (const l of q2.links.filter((x) => x.memberOverlap > 0))
    assert.ok(
      sharing.has(`${l.fromThemeId}>${l.toThemeId}`),
      `${l.fromThemeId} → ${l.toThemeId} shares firms`,
    );
});

/**
 * The links the sequential path gives (the earlier quarter streamed after the themes are known, matching only
 * themed topics) for `quarter`'s themes as the stage wrote them, in the stage's order (by index).
 */
async function sequentialLinks(s: LakeStore, quarter: string, previous: string, o: LineageOptions = {}) {
  const cur = await readEarlierThemes(s, quarter);
  const index = (id: string) => Number(id.slice(id.lastIndexOf(':th') + 3));
  const themes = [...cur.themes].sort((a, b) => index(a.themeId) - index(b.themeId));
  const { topics } = await readQuarterTopics(s, quarter, { withText: false });
  return linkThemesStreamed(await readLineageSide(s, previous), { themes, topics }, o);
}

test('lineage matched in a worker beside the clustering (every topic, before the themes): the sequential path’s links', async () => {
  assert.ok(q2.seconds.lineageMatching !== undefined, 'the worker matched');
  assert.deepEqual(q2.links, await sequentialLinks(store, '2021Q2', '2021Q1', { linkAt: 0.3 }));
});

test('a re-run replaces the quarter’s files with identical rows; manifest is written', async () => {
  const before = await rows(
    "SELECT theme_id, n_topics, keywords FROM themes WHERE quarter = '2021Q2' ORDER BY theme_id",
  );
  const again = await runThemeStage({
    store,
    quarter: '2021Q2',
    runId: 'test-q2-again',
    keywordEmbedder: SifEmbedder.load(),
    lineage: { linkAt: 0.3 },
  });
  assert.equal(again.previousQuarter, '2021Q1');
  const after = await rows(
    "SELECT theme_id, n_topics, keywords FROM themes WHERE quarter = '2021Q2' ORDER BY theme_id",
  );
  assert.deepEqual(after, before);
  assert.equal(again.links.length, q2.links.length);
  for (const t of ['themes', 'topic_themes', 'theme_links'] as const)
    assert.deepEqual(await store.list(`${t}/quarter=2021Q2/`), [themeTableKey(t, '2021Q2')]);
  const manifest = JSON.parse((await store.getText('_manifests/quarter=2021Q2/themes-batch-0000.json'))!);
  assert.equal(manifest.runId, 'test-q2-again');
  assert.equal(manifest.previousQuarter, '2021Q1');
});

/** A topic as a row of the lake's topics table, under the id, centroid and model given. */
function topicRow(t: TopicRecord, topicId: string, centroid: Float32Array, embeddingModel: string) {
  return {
    topic_id: topicId,
    firm_id: t.firmId,
    size: t.size,
    keywords: t.keywords,
    name: t.name,
    name_source: 'keywords',
    description: null,
    representative_sentence_ids: [],
    centroid,
    embedding_model: embeddingModel,
  };
}

/** Writes `rows` as topics part `part` of `quarter` (one part file, as a firm batch writes it). */
async function putTopicsPart(
  s: LakeStore,
  quarter: string,
  part: number,
  rows: ReturnType<typeof topicRow>[],
): Promise<void> {
  const tmp = scratchFile(await s.scratchDir(), 'topics');
  await writeParquet(TABLES.topics, rows, tmp);
  await s.putFile(partKey('topics', quarter, part, 1), tmp);
}

test('bad topic rows are rejected with a reason; the rest are themed', () =>
  inTempDir(async (dir) => {
    const s = openStore(dir);
    const good = topics2.slice(0, 120).map((t) => topicRow(t, t.topicId, t.centroid, 'sif-wink-sg-100d'));
    const nan = Float32Array.from(good[0].centroid);
    nan[3] = Number.NaN;
    const broken = [
      { ...good[0], topic_id: 'ZZZ:2021Q2:t0', firm_id: 'ZZZ', centroid: new Float32Array(100) },
      { ...good[0], topic_id: 'ZZZ:2021Q2:t1', firm_id: 'ZZZ', centroid: new Float32Array(7).fill(1) },
      { ...good[0], topic_id: 'ZZZ:2021Q2:t2', firm_id: 'ZZZ', centroid: nan },
      { ...good[0], topic_id: 'ZZZ:2021Q2:t3', firm_id: 'ZZZ', centroid: new Float32Array(0) },
      { ...good[1] },
    ];
    await putTopicsPart(s, '2021Q2', 0, [...good, ...broken]);
    const res = await runThemeStage({ store: s, quarter: '2021Q2', runId: 'bad', previousQuarter: null });
    assert.equal(res.rejects, 5);
    assert.equal(res.stats.topics, 120);
    const q = await LakeQuery.open(s);
    try {
      const r = await q.rows('SELECT source_ref, firm_id, stage, reason FROM rejects ORDER BY source_ref');
      assert.deepEqual(
        r.map((x) => [x.source_ref, x.firm_id, x.stage]),
        [
          [good[1].topic_id, good[1].firm_id, 'themes'],
          ['ZZZ:2021Q2:t0', 'ZZZ', 'themes'],
          ['ZZZ:2021Q2:t1', 'ZZZ', 'themes'],
          ['ZZZ:2021Q2:t2', 'ZZZ', 'themes'],
          ['ZZZ:2021Q2:t3', 'ZZZ', 'themes'],
        ],
      );
      assert.match(r[0].reason as string, /repeated topic_id/);
      assert.match(r[1].reason as string, /all zeros/);
      assert.match(r[2].reason as string, /7 values.*100/);
      assert.match(r[3].reason as string, /non-finite/);
      assert.match(r[4].reason as string, /no centroid/);
    } finally {
      q.close();
    }
  }, 'callthemes-themes-bad-'));

test("the quarter's width is its modal centroid length even when the first rows read have another", () =>
  // The first file's 30 topics have 7-d centroids (read first, they are the first guess of the width); the
  // second file's 120 have 100-d ones: the 30 are rejected against 100, and the 120 are read whole.
  inTempDir(async (dir) => {
    const s = openStore(dir);
    const parts = [
      topics2.slice(0, 30).map((t) => topicRow(t, t.topicId, new Float32Array(7).fill(0.5), 'other-7d')),
      topics2.slice(30, 150).map((t) => topicRow(t, t.topicId, t.centroid, 'sif-wink-sg-100d')),
    ];
    for (const [k, rows] of parts.entries()) await putTopicsPart(s, '2021Q2', k, rows);
    const read = await readQuarterTopics(s, '2021Q2');
    assert.equal(read.centroids.cols, 100);
    assert.deepEqual(
      read.topics.map((t) => t.topicId),
      topics2
        .slice(30, 150)
        .map((t) => t.topicId)
        .sort(),
    );
    assert.deepEqual(
      read.topics[5].centroid,
      topics2.find((t) => t.topicId === read.topics[5].topicId)?.centroid,
    );
    assert.equal(read.rejects.length, 30);
    for (const r of read.rejects) assert.match(r.reason, /7 values, the quarter's topics have 100/);
  }, 'callthemes-themes-mixed-'));

test('4096-d centroids (the served embedder’s width): themes, 4096-d theme centroids, lineage to a relabelled copy', () =>
  // 2021Q2's real topics lifted to 4096-d by an isometry (each of the 100 coordinates spread over 40 with
  // alternating signs, scaled 1/√40: every cosine kept), written as 2031Q1 and, relabelled, as 2031Q2.
  inTempDir(async (dir) => {
    const s = openStore(dir);
    const lift = (c: Float32Array) => {
      const out = new Float32Array(4096);
      for (let k = 0; k < 100; k++)
        for (let j = 0; j < 40; j++)
          out[j * 100 + k] = ((k + j) % 2 ? -1 : 1) * c[k] * Math.SQRT1_2 * Math.sqrt(2 / 40);
      return out;
    };
    for (const quarter of ['2031Q1', '2031Q2']) {
      const rows = topics2.map((t) =>
        topicRow(t, t.topicId.replace('2021Q2', quarter), lift(t.centroid), 'test-lift-4096'),
      );
      await putTopicsPart(s, quarter, 0, rows);
    }
    const embedder = SifEmbedder.load();
    const a = await runThemeStage({ store: s, quarter: '2031Q1', runId: 'w', keywordEmbedder: embedder });
    const b = await runThemeStage({ store: s, quarter: '2031Q2', runId: 'w', keywordEmbedder: embedder });
    assert.equal(a.stats.topics, topics2.length);
    assert.equal(a.rejects, 0);
    assert.ok(a.stats.themes >= 3, `${a.stats.themes} themes`);
    // The same topics under new ids give the same themes, and each links to its copy, and only to it first.
    assert.equal(b.stats.themes, a.stats.themes);
    assert.equal(b.previousQuarter, '2031Q1');
    assert.ok(b.seconds.lineageMatching !== undefined, 'the worker matched');
    assert.deepEqual(b.links, await sequentialLinks(s, '2031Q2', '2031Q1'));
    const best = new Map<string, { from: string; sim: number }>();
    for (const l of b.links)
      if (!best.has(l.toThemeId) || best.get(l.toThemeId)!.sim < l.similarity)
        best.set(l.toThemeId, { from: l.fromThemeId, sim: l.similarity });
    assert.equal(best.size, b.stats.themes);
    for (const [to, { from, sim }] of best) {
      assert.equal(from.replace('2031Q1', ''), to.replace('2031Q2', ''));
      assert.ok(sim > 0.999, `${from} → ${to}: ${sim}`);
    }
    // Theme centroids live in the 4096-d space, and member similarities are cosines there.
    const q = await LakeQuery.open(s);
    try {
      const r = await q.rows(
        `SELECT t.centroid AS tc, th.centroid AS hc, tt.similarity FROM topic_themes tt
         JOIN topics t USING (topic_id, quarter) JOIN themes th USING (theme_id, quarter)
         WHERE tt.quarter = '2031Q1' ORDER BY tt.topic_id LIMIT 10`,
      );
      assert.equal(r.length, 10);
      for (const x of r) {
        assert.equal((x.hc as number[]).length, 4096);
        assert.ok(Math.abs(cosine(x.tc as number[], x.hc as number[]) - Number(x.similarity)) < 1e-5);
      }
    } finally {
      q.close();
    }
  }, 'callthemes-themes-4096-'));

test('CLI: themes --help has an example; bad values exit 2; a quarter without topics is a clear error', async () => {
  const help = await runCli(['themes', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Example:\n\s+callthemes themes --quarter 2021Q2/);
  const badQ = await runCli(['themes', '--quarter', '2021Q5', '--lake', lake.path]);
  assert.equal(badQ.code, 2);
  assert.match(badQ.stderr, /invalid quarter "2021Q5"/);
  const badDom = await runCli([
    'themes',
    '--quarter',
    '2021Q2',
    '--max-dominance',
    '1.5',
    '--lake',
    lake.path,
  ]);
  assert.equal(badDom.code, 2);
  assert.match(badDom.stderr, /maxDominance/);
  const none = await runCli(['themes', '--quarter', '2019Q1', '--lake', lake.path]);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /no topics for 2019Q1/);
  assert.ok(!existsSync(join(lake.path, '_manifests', 'quarter=2019Q1')));
  const ok = await runCli(['themes', '--quarter', '2021Q2', '--lake', lake.path]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /2021Q2: \d+ topics of \d+ firms → \d+ themes .* links to 2021Q1/);
});
