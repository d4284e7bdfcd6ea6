/**
 * The two research scores on a small real sample: sentences of three 2021Q2 calls from the shipped ECTSum
 * sample, with topics, themes and sentiment labels assigned by hand, written with the real lake writers.
 * The expected scores are counted by hand below.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type LakeStore,
  LocalLakeStore,
  PartitionWriter,
  type Row,
  scratchFile,
  TABLES,
  type TableName,
  writeParquet,
} from '@callthemes/common/lake';
import { firmThemeSentimentSql, LakeQuery, themeSentimentSql } from '@callthemes/common/query';
import type { SentimentLabel } from '@callthemes/common/sentiment';
import { LexiconClassifier } from '@callthemes/common/sentiment';
import { CLI_BIN, EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { runSentimentStage } from '@callthemes/firm-worker';
import { afterAll, beforeAll, describe, it } from 'vitest';

type Pick = {
  firm: string;
  quarter: string;
  line: number;
  topic: string | null;
  label: SentimentLabel | null;
};
const P: SentimentLabel = 'positive';
const N: SentimentLabel = 'negative';
const U: SentimentLabel = 'neutral';

// line = 0-based line of examples/ectsum/{firm}_q{n}_{year}.txt; labels read by hand.
const PICKS: Pick[] = [
  // AFL 2021Q2
  { firm: 'AFL', quarter: '2021Q2', line: 2, topic: 't0', label: P }, // adjusted EPS increased 24.2%
  { firm: 'AFL', quarter: '2021Q2', line: 4, topic: 't0', label: P }, // sales improved year-over-year
  { firm: 'AFL', quarter: '2021Q2', line: 18, topic: 't0', label: N }, // sales at ~65% of 2019 levels
  { firm: 'AFL', quarter: '2021Q2', line: 20, topic: 't1', label: N }, // cases increasing, emergency widening
  { firm: 'AFL', quarter: '2021Q2', line: 19, topic: 't1', label: U }, // where the states of emergency are
  { firm: 'AFL', quarter: '2021Q2', line: 28, topic: 't1', label: U }, // small businesses still recovering
  // AIG 2021Q2
  { firm: 'AIG', quarter: '2021Q2', line: 6, topic: 't0', label: P }, // an outstanding second quarter
  { firm: 'AIG', quarter: '2021Q2', line: 10, topic: 't0', label: P }, // pre-tax income increased 26%
  { firm: 'AIG', quarter: '2021Q2', line: 14, topic: 't0', label: P }, // net premiums written increased 24%
  { firm: 'AIG', quarter: '2021Q2', line: 12, topic: 't0', label: U }, // turning to our financial results
  { firm: 'AIG', quarter: '2021Q2', line: 34, topic: 't1', label: N }, // rising cyber loss trends, ransomware
  { firm: 'AIG', quarter: '2021Q2', line: 27, topic: 't1', label: U }, // deploy limits prudently
  { firm: 'AIG', quarter: '2021Q2', line: 1, topic: null, label: U }, // outlier: in no topic, so in no theme
  // ABM 2021Q2
  { firm: 'ABM', quarter: '2021Q2', line: 1, topic: 't0', label: P }, // EBITDA improving 17%
  { firm: 'ABM', quarter: '2021Q2', line: 2, topic: 't0', label: P }, // growth more than offset softness
  { firm: 'ABM', quarter: '2021Q2', line: 14, topic: 't1', label: P }, // improvement in Aviation expected
  { firm: 'ABM', quarter: '2021Q2', line: 39, topic: 't1', label: U }, // turning to the outlook
  { firm: 'ABM', quarter: '2021Q2', line: 19, topic: 't1', label: U }, // return to in-person learning
  { firm: 'ABM', quarter: '2021Q2', line: 20, topic: 't1', label: null }, // not labelled: not counted
  // AFL 2021Q1: another quarter, must not leak into 2021Q2
  { firm: 'AFL', quarter: '2021Q1', line: 0, topic: 't0', label: N },
];

// Topic → theme, by hand. th4 has no topics; th5's only topic has no sentences: both must be absent.
const THEMES: Record<string, { name: string; topics: string[] }> = {
  '2021Q2:th1': {
    name: 'Earnings and sales growth',
    topics: ['AFL:2021Q2:t0', 'AIG:2021Q2:t0', 'ABM:2021Q2:t0'],
  },
  '2021Q2:th2': { name: 'Pandemic and underwriting risk', topics: ['AFL:2021Q2:t1', 'AIG:2021Q2:t1'] },
  '2021Q2:th3': { name: 'Travel and reopening', topics: ['ABM:2021Q2:t1'] },
  '2021Q2:th4': { name: 'Theme without topics', topics: [] },
  '2021Q2:th5': { name: 'Theme whose topic has no sentences', topics: ['ABM:2021Q2:t9'] },
  '2021Q1:th1': { name: 'Q1 theme', topics: ['AFL:2021Q1:t0'] },
};

// The hand count (positive, negative, neutral, total; sentiment = (pos − neg) / total).
const THEME_EXPECTED = [
  { theme_id: '2021Q2:th1', firms: 3, positive: 7, negative: 1, neutral: 1, total: 9, sentiment: 6 / 9 },
  { theme_id: '2021Q2:th2', firms: 2, positive: 0, negative: 2, neutral: 3, total: 5, sentiment: -2 / 5 },
  { theme_id: '2021Q2:th3', firms: 1, positive: 1, negative: 0, neutral: 2, total: 3, sentiment: 1 / 3 },
];
const FIRM_THEME_EXPECTED = [
  {
    theme_id: '2021Q2:th1',
    firm_id: 'AIG',
    positive: 3,
    negative: 0,
    neutral: 1,
    total: 4,
    sentiment: 3 / 4,
  },
  {
    theme_id: '2021Q2:th1',
    firm_id: 'AFL',
    positive: 2,
    negative: 1,
    neutral: 0,
    total: 3,
    sentiment: 1 / 3,
  },
  { theme_id: '2021Q2:th1', firm_id: 'ABM', positive: 2, negative: 0, neutral: 0, total: 2, sentiment: 1 },
  {
    theme_id: '2021Q2:th2',
    firm_id: 'AFL',
    positive: 0,
    negative: 1,
    neutral: 2,
    total: 3,
    sentiment: -1 / 3,
  },
  {
    theme_id: '2021Q2:th2',
    firm_id: 'AIG',
    positive: 0,
    negative: 1,
    neutral: 1,
    total: 2,
    sentiment: -1 / 2,
  },
  {
    theme_id: '2021Q2:th3',
    firm_id: 'ABM',
    positive: 1,
    negative: 0,
    neutral: 2,
    total: 3,
    sentiment: 1 / 3,
  },
];

function lineOf(firm: string, quarter: string, line: number): string {
  const file = join(EXAMPLES_ECTSUM, `${firm}_q${quarter.slice(5)}_${quarter.slice(0, 4)}.txt`);
  return readFileSync(file, 'utf8').split('\n')[line].trim();
}

async function putTable(store: LakeStore, table: TableName, quarter: string, name: string, rows: Row[]) {
  const tmp = scratchFile(await store.scratchDir(), table);
  await writeParquet(TABLES[table], rows, tmp);
  await store.putFile(`${table}/quarter=${quarter}/${name}.parquet`, tmp);
  await rm(tmp, { force: true });
}

/** Sentences, topics, themes and topic_themes of the sample; labels too when `withLabels`. */
async function writeSample(store: LakeStore, withLabels: boolean): Promise<void> {
  for (const quarter of ['2021Q1', '2021Q2']) {
    const picks = PICKS.filter((p) => p.quarter === quarter);
    const sentenceRows: Row[] = picks.map((p) => ({
      sentence_id: `${p.firm}:${quarter}:${p.line}`,
      firm_id: p.firm,
      transcript_id: `${p.firm}_q${quarter.slice(5)}_${quarter.slice(0, 4)}`,
      position: p.line,
      component_order: p.line,
      section: 'prepared',
      speaker_name: null,
      speaker_role: 'unknown',
      text: lineOf(p.firm, quarter, p.line),
      topic_id: p.topic ? `${p.firm}:${quarter}:${p.topic}` : null,
    }));
    const topicIds = [...new Set(sentenceRows.map((r) => r.topic_id).filter((t): t is string => t !== null))];
    if (quarter === '2021Q2') topicIds.push('ABM:2021Q2:t9');
    const topicRows: Row[] = topicIds.map((id) => ({
      topic_id: id,
      firm_id: id.split(':')[0],
      size: sentenceRows.filter((r) => r.topic_id === id).length,
      keywords: ['sample'],
      name: id,
      name_source: 'fallback',
      description: null,
      representative_sentence_ids: [],
      centroid: [0, 1],
      embedding_model: 'hand',
    }));
    const firms = [...new Set(picks.map((p) => p.firm))].sort();
    const writer = new PartitionWriter({
      store,
      stage: 'firm',
      quarter,
      batch: 0,
      batchSize: 10,
      runId: 'sample',
      tables: ['sentences', 'topics'],
      flushEvery: 10,
    });
    for (const f of firms)
      await writer.addItem(f, {
        sentences: sentenceRows.filter((r) => r.firm_id === f),
        topics: topicRows.filter((r) => r.firm_id === f),
      });
    await writer.finish();
    const themes = Object.entries(THEMES).filter(([id]) => id.startsWith(quarter));
    await putTable(
      store,
      'themes',
      quarter,
      'themes',
      themes.map(([id, t]) => ({
        theme_id: id,
        name: t.name,
        name_source: 'fallback',
        keywords: [],
        description: null,
        n_topics: t.topics.length,
        n_firms: new Set(t.topics.map((x) => x.split(':')[0])).size,
        dominance: 1,
        centroid: [0, 1],
      })),
    );
    await putTable(
      store,
      'topic_themes',
      quarter,
      'themes',
      themes.flatMap(([id, t]) =>
        t.topics.map((topic) => ({ topic_id: topic, theme_id: id, similarity: 0.9 })),
      ),
    );
    if (withLabels) {
      const labels = new PartitionWriter({
        store,
        stage: 'sentiment',
        quarter,
        batch: 0,
        batchSize: 10,
        runId: 'sample',
        tables: ['sentence_sentiment'],
        flushEvery: 10,
      });
      for (const f of firms)
        await labels.addItem(f, {
          sentence_sentiment: picks
            .filter((p) => p.firm === f && p.label !== null)
            .map((p) => ({
              sentence_id: `${p.firm}:${quarter}:${p.line}`,
              label: p.label,
              score: 1,
              model: 'hand',
            })),
        });
      await labels.finish();
    }
  }
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

function assertInvariants(rows: Record<string, unknown>[]) {
  for (const r of rows) {
    const [pos, neg, neu, total, s] = [r.positive, r.negative, r.neutral, r.total, r.sentiment].map(Number);
    assert.equal(pos + neg + neu, total, `counts of ${r.theme_id} ${r.firm_id ?? ''}`);
    assert.ok(total > 0);
    assert.ok(s >= -1 && s <= 1, `score ${s}`);
    assert.ok(close(s, (pos - neg) / total));
  }
}

describe('research scores on hand-labelled real sentences', () => {
  const tmp = tempDir('callthemes-scores-');
  const store = new LocalLakeStore(join(tmp.path, 'lake'));
  let q: LakeQuery;
  beforeAll(async () => {
    await writeSample(store, true);
    q = await LakeQuery.open(store);
  });
  afterAll(() => {
    q.close();
    tmp.cleanup();
  });

  it('theme sentiment equals the hand count; empty themes are absent', async () => {
    const rows = await q.rows(themeSentimentSql('2021Q2'));
    assert.deepEqual(
      rows.map((r) => r.theme_id),
      THEME_EXPECTED.map((e) => e.theme_id),
    );
    rows.forEach((r, i) => {
      const e = THEME_EXPECTED[i];
      assert.equal(r.quarter, '2021Q2');
      assert.equal(r.theme_name, THEMES[e.theme_id].name);
      for (const k of ['firms', 'positive', 'negative', 'neutral', 'total'] as const)
        assert.equal(r[k], e[k], k);
      assert.ok(close(r.sentiment as number, e.sentiment), `${r.sentiment} vs ${e.sentiment}`);
    });
    assertInvariants(rows);
  });

  it('firm-within-theme sentiment equals the hand count', async () => {
    const rows = await q.rows(firmThemeSentimentSql('2021Q2'));
    assert.equal(rows.length, FIRM_THEME_EXPECTED.length);
    rows.forEach((r, i) => {
      const e = FIRM_THEME_EXPECTED[i];
      for (const k of ['theme_id', 'firm_id', 'positive', 'negative', 'neutral', 'total'] as const)
        assert.equal(r[k], e[k], `${k} of row ${i}`);
      assert.ok(close(r.sentiment as number, e.sentiment));
    });
    assertInvariants(rows);
  });

  it('without a quarter, scores every quarter separately', async () => {
    const rows = await q.rows(themeSentimentSql());
    assert.deepEqual(
      rows.map((r) => `${r.quarter} ${r.theme_id} ${r.total} ${r.sentiment}`),
      [
        '2021Q1 2021Q1:th1 1 -1',
        ...THEME_EXPECTED.map((e) => `2021Q2 ${e.theme_id} ${e.total} ${e.sentiment}`),
      ],
    );
  });

  it('the sentences_with_themes view holds theme members, labelled or not, and no outliers', async () => {
    const rows = await q.rows(
      `SELECT theme_id, count(*) AS n, count(label) AS labelled FROM sentences_with_themes WHERE quarter = '2021Q2' GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(rows, [
      { theme_id: '2021Q2:th1', n: 9, labelled: 9 },
      { theme_id: '2021Q2:th2', n: 5, labelled: 5 },
      { theme_id: '2021Q2:th3', n: 4, labelled: 3 },
    ]);
  });

  it('the query presets print the same numbers through the CLI', () => {
    const res = spawnSync(
      process.execPath,
      [
        CLI_BIN,
        'query',
        '--preset',
        'firm-theme-sentiment',
        '--quarter',
        '2021Q2',
        '--format',
        'json',
        '--lake',
        join(tmp.path, 'lake'),
      ],
      { encoding: 'utf8', env: { ...process.env, CALLTHEMES_FROM_SOURCE: '1' } },
    );
    assert.equal(res.status, 0, res.stderr);
    const rows = JSON.parse(res.stdout) as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((r) => [r.firm_id, r.positive, r.negative, r.neutral, r.total]),
      FIRM_THEME_EXPECTED.map((e) => [e.firm_id, e.positive, e.negative, e.neutral, e.total]),
    );
  });
});

describe('research scores after the real sentiment stage', () => {
  const tmp = tempDir('callthemes-scores-stage-');
  const store = new LocalLakeStore(join(tmp.path, 'lake'));
  afterAll(() => tmp.cleanup());

  it('agree with a recount of the stage output and keep every invariant', async () => {
    await writeSample(store, false);
    const clf = new LexiconClassifier();
    // The sample has no firms table: give the stage the firm list directly.
    const res = await runSentimentStage({
      store,
      quarter: '2021Q2',
      batch: 0,
      batchSize: 10,
      runId: 'stage',
      classifier: clf,
      firms: ['ABM', 'AFL', 'AIG'],
    });
    assert.equal(res.sentences, PICKS.filter((p) => p.quarter === '2021Q2').length);
    const q = await LakeQuery.open(store);
    const themes = await q.rows(themeSentimentSql('2021Q2'));
    const firmThemes = await q.rows(firmThemeSentimentSql('2021Q2'));
    q.close();
    assertInvariants(themes);
    assertInvariants(firmThemes);
    assert.deepEqual(themes.map((r) => r.theme_id).sort(), ['2021Q2:th1', '2021Q2:th2', '2021Q2:th3']);
    // Recount theme th3 from the classifier's own labels of its sentences (all four are labelled now).
    const th3 = PICKS.filter((p) => p.topic === 't1' && p.firm === 'ABM');
    const labels = (await clf.classify(th3.map((p) => lineOf(p.firm, p.quarter, p.line)))).map(
      (r) => r.label,
    );
    const count = (l: SentimentLabel) => labels.filter((x) => x === l).length;
    const row = themes.find((r) => r.theme_id === '2021Q2:th3')!;
    assert.equal(row.total, 4);
    assert.equal(row.positive, count('positive'));
    assert.equal(row.negative, count('negative'));
    assert.ok(close(row.sentiment as number, (count('positive') - count('negative')) / 4));
  });
});
