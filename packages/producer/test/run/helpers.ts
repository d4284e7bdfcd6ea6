/**
 * Helpers of the run and fleet tests: a lake's ids and row counts (beside a local run's), and a progress sink that
 * keeps its lines.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { LocalLakeStore, TABLE_NAMES } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { ectsumArgs, runCli } from '@callthemes/common/testing/cli';
import { LineProgress } from '../../src/run/progress.js';

export interface LakeSnapshot {
  counts: Record<string, number>;
  firmIds: string[];
  sentenceIds: string[];
  topicIds: string[];
  /** Tables whose primary key repeats (should be none). */
  duplicates: string[];
}

/**
 * The lake a fleet wrote beside the lake `callthemes run` writes locally (under `refLake`) for the same plan on the
 * shipped sample: what the fleet tests compare.
 */
export async function besideLocalRun(
  lake: string,
  refLake: string,
  quarters: string,
  plan: string[],
): Promise<{ got: LakeSnapshot; want: LakeSnapshot }> {
  const r = await runCli(ectsumArgs('run', quarters, refLake, plan));
  assert.equal(r.code, 0, r.stderr);
  return { got: await snapshot(lake), want: await snapshot(refLake) };
}

export async function snapshot(lake: string): Promise<LakeSnapshot> {
  const q = await LakeQuery.open(new LocalLakeStore(lake));
  try {
    const counts: Record<string, number> = {};
    for (const t of TABLE_NAMES) {
      const [r] = await q.rows(`SELECT count(*) AS n FROM ${t}`);
      counts[t] = Number(r.n);
    }
    const ids = async (sql: string) => (await q.rows(sql)).map((r) => String(r.id));
    const duplicates: string[] = [];
    for (const [t, key] of [
      ['firms', "firm_id || '|' || quarter"],
      ['sentences', 'sentence_id'],
      ['topics', 'topic_id'],
      ['sentence_sentiment', 'sentence_id'],
    ]) {
      const [r] = await q.rows(`SELECT count(*) - count(DISTINCT ${key}) AS d FROM ${t}`);
      if (Number(r.d) !== 0) duplicates.push(t);
    }
    return {
      counts,
      firmIds: await ids(`SELECT firm_id || ':' || quarter AS id FROM firms ORDER BY 1`),
      sentenceIds: await ids('SELECT sentence_id AS id FROM sentences ORDER BY 1'),
      topicIds: await ids('SELECT topic_id AS id FROM topics ORDER BY 1'),
      duplicates,
    };
  } finally {
    q.close();
  }
}

export function recordingProgress(): { progress: LineProgress; lines: string[] } {
  const lines: string[] = [];
  let buf = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      buf += String(chunk);
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines.push(...parts);
      done();
    },
  });
  return { progress: new LineProgress(sink), lines };
}
