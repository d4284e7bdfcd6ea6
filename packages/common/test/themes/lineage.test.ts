import assert from 'node:assert/strict';
import { test } from 'vitest';
import { Rng } from '../../src/cluster/rng.js';
import {
  linksFromMatches,
  linkThemes,
  linkThemesStreamed,
  matchEarlierTopics,
  memberThemes,
  unitSumOf,
} from '../../src/themes/lineage.js';

const v = (...xs: number[]) => Float32Array.from(xs);

// Four directions; the mean of all eight topic centroids below is 0, so centred cosines equal plain ones.
const prevTopics = [
  { topicId: 'A:q1:t0', firmId: 'A', centroid: v(1, 0, 0, 0) },
  { topicId: 'B:q1:t0', firmId: 'B', centroid: v(1, 0, 0, 0) },
  { topicId: 'C:q1:t0', firmId: 'C', centroid: v(0, 1, 0, 0) },
  { topicId: 'D:q1:t0', firmId: 'D', centroid: v(0, 1, 0, 0) },
];
const curTopics = [
  { topicId: 'A:q2:t0', firmId: 'A', centroid: v(-1, 0, 0, 0) },
  { topicId: 'B:q2:t0', firmId: 'B', centroid: v(-1, 0, 0, 0) },
  { topicId: 'C:q2:t0', firmId: 'C', centroid: v(0, -1, 0, 0) },
  { topicId: 'E:q2:t0', firmId: 'E', centroid: v(0, -1, 0, 0) },
];

test('lineage by hand: centred cosine and member overlap through firm continuity', () => {
  // Sanity of the construction: the mean centroid is zero.
  const prev = {
    topics: prevTopics,
    themes: [
      { themeId: 'q1:th0', centroid: v(1, 0, 0, 0), members: ['A:q1:t0', 'B:q1:t0'] },
      { themeId: 'q1:th1', centroid: v(0, 1, 0, 0), members: ['C:q1:t0', 'D:q1:t0'] },
    ],
  };
  // Current theme 0 points half-way between th0 and th1 of q1 (cos 0.7071 to each); theme 1 is orthogonal.
  const s = Math.SQRT1_2;
  const cur = {
    topics: curTopics,
    themes: [
      { themeId: 'q2:th0', centroid: v(s, s, 0, 0), members: ['A:q2:t0', 'B:q2:t0'] },
      { themeId: 'q2:th1', centroid: v(0, 0, 1, 0), members: ['C:q2:t0', 'E:q2:t0'] },
    ],
  };
  // Topics point the other way from last quarter: no firm's topic continues (cos −1 < 0.5), overlap 0.
  const links = linkThemes(prev, cur, { linkAt: 0.3 });
  assert.deepEqual(
    links.map((l) => [l.fromThemeId, l.toThemeId]),
    [
      ['q1:th0', 'q2:th0'],
      ['q1:th1', 'q2:th0'],
    ],
  );
  for (const l of links) {
    assert.ok(Math.abs(l.centroidSimilarity - s) < 1e-6);
    assert.equal(l.memberOverlap, 0);
    assert.ok(Math.abs(l.similarity - 0.5 * s) < 1e-6);
  }
  assert.equal(linkThemes(prev, cur).length, 0, 'below the default 0.5 no link is kept');
});

test('lineage by hand: continuing firm topics add member overlap', () => {
  // Same firms A, B keep their topic direction; the theme centroid moved a little.
  const prev = {
    topics: [...prevTopics.slice(0, 2), { topicId: 'C:q1:t0', firmId: 'C', centroid: v(-1, 0, 0, 0) }],
    themes: [{ themeId: 'q1:th0', centroid: v(1, 0, 0, 0), members: ['A:q1:t0', 'B:q1:t0'] }],
  };
  const cur = {
    topics: [
      { topicId: 'A:q2:t0', firmId: 'A', centroid: v(1, 0, 0, 0) },
      { topicId: 'B:q2:t0', firmId: 'B', centroid: v(1, 0, 0, 0) },
      { topicId: 'E:q2:t0', firmId: 'E', centroid: v(1, 0, 0, 0) },
      { topicId: 'F:q2:t0', firmId: 'F', centroid: v(-1, 0, 0, 0) },
      { topicId: 'G:q2:t0', firmId: 'G', centroid: v(-1, 0, 0, 0) },
    ],
    themes: [{ themeId: 'q2:th0', centroid: v(1, 0, 0, 0), members: ['A:q2:t0', 'B:q2:t0', 'E:q2:t0'] }],
  };
  // Mean of all 8 unit centroids = (5 − 3)/8 = 0.25 on axis 0; centred theme centroids are both +axis 0.
  // Overlap: A and B continue into q2:th0 → 2 / min(2, 3) = 1. Similarity = 0.5·1 + 0.5·1.
  const [link] = linkThemes(prev, cur);
  assert.equal(link.fromThemeId, 'q1:th0');
  assert.ok(Math.abs(link.centroidSimilarity - 1) < 1e-6);
  assert.equal(link.memberOverlap, 1);
  assert.ok(Math.abs(link.similarity - 1) < 1e-6);
});

test('lineage keeps at most maxLinksPerTheme links per current theme, best first', () => {
  const prev = {
    topics: prevTopics,
    themes: [0.9, 0.8, 0.7, 0.6].map((c, i) => ({
      themeId: `q1:th${i}`,
      centroid: v(c, Math.sqrt(1 - c * c), 0, 0),
      members: [],
    })),
  };
  const cur = { topics: curTopics, themes: [{ themeId: 'q2:th0', centroid: v(1, 0, 0, 0), members: [] }] };
  const links = linkThemes(prev, cur, { linkAt: 0.1, maxLinksPerTheme: 2 });
  assert.deepEqual(
    links.map((l) => l.fromThemeId),
    ['q1:th0', 'q1:th1'],
  );
});

test('member overlap counts each earlier topic once, so it never exceeds 1', () => {
  // One earlier topic of firm A; three later topics of A all continue it.
  const prev = {
    topics: [
      { topicId: 'A:q1:t0', firmId: 'A', centroid: v(1, 0) },
      { topicId: 'B:q1:t0', firmId: 'B', centroid: v(-1, 0) },
    ],
    themes: [{ themeId: 'q1:th0', centroid: v(1, 0), members: ['A:q1:t0'] }],
  };
  const cur = {
    topics: [0, 1, 2].map((k) => ({ topicId: `A:q2:t${k}`, firmId: 'A', centroid: v(1, 0.01 * k) })),
    themes: [{ themeId: 'q2:th0', centroid: v(1, 0), members: ['A:q2:t0', 'A:q2:t1', 'A:q2:t2'] }],
  };
  const [link] = linkThemes(prev, cur, { linkAt: 0 });
  assert.equal(link.memberOverlap, 1);
  assert.ok(link.similarity <= 1);
});

/**
 * 40 firms × 6 topics a quarter in 37 dimensions around 5 shared directions; firms keep most of their
 * directions from one quarter to the next, so member overlap and centred cosines both count.
 */
function twoQuarters() {
  const rng = new Rng(9);
  const d = 37;
  const axes = Array.from({ length: 5 }, () => Float32Array.from({ length: d }, () => rng.normal()));
  const side = (q: string) => {
    const topics: { topicId: string; firmId: string; centroid: Float32Array; axis: number }[] = [];
    for (let f = 0; f < 40; f++)
      for (let t = 0; t < 6; t++) {
        const axis = (f + t + (q === 'q2' && t === 5 ? 1 : 0)) % 5;
        const centroid = Float32Array.from(axes[axis], (x) => x + 0.4 * rng.normal());
        topics.push({ topicId: `F${f}:${q}:t${t}`, firmId: `F${f}`, centroid, axis });
      }
    const themes = axes.map((_, a) => {
      const members = topics.filter((t) => t.axis === a && rng.float() < 0.9);
      const c = new Float32Array(d);
      for (const m of members) for (let k = 0; k < d; k++) c[k] += m.centroid[k] / members.length;
      return { themeId: `${q}:th${a}`, centroid: c, members: members.map((m) => m.topicId) };
    });
    return { topics, themes };
  };
  const prev = side('q1');
  const cur = side('q2');
  return { d, prev, cur };
}

/** An earlier quarter's topics as a stream: each with its rank by id, as the lake's reader gives them. */
function streamOf<T extends { topicId: string }>(topics: readonly T[]) {
  const byId = [...topics].sort((a, b) => (a.topicId < b.topicId ? -1 : 1)).map((t) => t.topicId);
  return async (visit: (t: T, order: number) => void) => {
    for (const t of topics) visit(t, byId.indexOf(t.topicId));
  };
}

test('streamed lineage: one pass with the recorded unit sum, two without, and the array form give the same links', async () => {
  const { d, prev, cur } = twoQuarters();
  const expected = linkThemes(prev, cur, { linkAt: 0.2 });
  assert.ok(expected.length >= 5 && expected.some((l) => l.memberOverlap > 0.3), 'links with overlap');
  const forEachTopic = streamOf(prev.topics);
  const sum = unitSumOf(d);
  for (const t of prev.topics) sum.add(t.centroid);
  let passes = 0;
  const counted = async (visit: Parameters<typeof forEachTopic>[0]) => {
    passes++;
    await forEachTopic(visit);
  };
  const twoPass = await linkThemesStreamed({ themes: prev.themes, forEachTopic: counted }, cur, {
    linkAt: 0.2,
  });
  assert.equal(passes, 2);
  const onePass = await linkThemesStreamed(
    { themes: prev.themes, forEachTopic: counted, unitSum: sum },
    cur,
    { linkAt: 0.2 },
  );
  assert.equal(passes, 3);
  assert.deepEqual(twoPass, expected);
  assert.deepEqual(onePass, expected);
});

test('matching every current topic before the themes are known, then keeping the themed ones: the same links', async () => {
  // The theme stage matches all current topics beside its clustering (the themes are not known yet) and
  // keeps the themed topics' matches: the links must equal lineage's own over the themed topics only.
  const { prev, cur } = twoQuarters();
  const expected = linkThemes(prev, cur, { linkAt: 0.2 });
  const forEachTopic = streamOf(prev.topics);
  const matches = await matchEarlierTopics(
    { forEachTopic },
    memberThemes(prev.themes),
    cur.topics,
    cur.topics,
  );
  const themed = new Set(cur.themes.flatMap((t) => t.members));
  assert.ok(themed.size < cur.topics.length, 'some current topics are in no theme');
  const rowOf = new Map(cur.topics.map((t, i) => [t.topicId, i]));
  assert.deepEqual(linksFromMatches(prev.themes, cur.themes, rowOf, matches, { linkAt: 0.2 }), expected);
  assert.ok(expected.some((l) => l.memberOverlap > 0.3));
});
