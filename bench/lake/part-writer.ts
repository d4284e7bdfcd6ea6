/**
 * The NDJSON lake part writer (rows → NDJSON → DuckDB read_json → COPY to Parquet) against the Arrow one
 * (rows → apache-arrow Table → DuckDB data chunks → appender → COPY to Parquet) on real-sized parts:
 * sentences of 50 firms (ECTSum 2021Q2 text), their topics (10 a firm, 100-d centroids, keyword lists) and the
 * 50 firm rows. The two writers alternate A B A B in one process; medians, ratio Arrow/NDJSON and rows/s,
 * and the process CPU time of each write (steadier than wall time on a shared machine).
 *
 *   node --import @callthemes/common/register-source bench/lake/part-writer.ts [--firms 50] [--runs 11]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Row, TABLES, type TableName, writeParquetNdjson } from '@callthemes/common/lake';
import { ECTSUM_DIR, EXAMPLES_ECTSUM } from '@callthemes/common/testing/paths';
import { writeParquetArrow } from '../../packages/common/src/lake/arrow-parquet.js';

const { values } = parseArgs({
  options: { firms: { type: 'string', default: '50' }, runs: { type: 'string', default: '11' } },
});
const nFirms = Number(values.firms);
const runs = Number(values.runs);
const QUARTER = '2021Q2';
const WARMUP = 3;

/** ECTSum calls of 2021Q2 (one sentence a line); the repo's examples when the shared data is absent. */
function calls(): { firm: string; file: string; lines: string[] }[] {
  const dir = existsSync(ECTSUM_DIR) ? ECTSUM_DIR : EXAMPLES_ECTSUM;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('_q2_2021.txt'))
    .sort();
  const pick = files.slice(0, nFirms);
  // fewer calls than asked (examples): reuse them under new firm ids so the part keeps its size
  return Array.from({ length: nFirms }, (_, i) => {
    const file = pick[i % pick.length] as string;
    const lines = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const firm = `${file.split('_')[0]}${i >= pick.length ? `_${i}` : ''}`;
    return { firm, file, lines };
  });
}

function parts(): Record<'sentences' | 'topics' | 'firms', Row[]> {
  const sentences: Row[] = [];
  const topics: Row[] = [];
  const firms: Row[] = [];
  for (const [k, c] of calls().entries()) {
    const ids = c.lines.map((_, i) => `${c.firm}:${QUARTER}:${i}`);
    for (const [i, text] of c.lines.entries()) {
      sentences.push({
        sentence_id: ids[i],
        firm_id: c.firm,
        transcript_id: c.file.replace('.txt', ''),
        position: i,
        component_order: 0,
        section: 'prepared',
        speaker_name: i % 4 === 0 ? null : 'Chief Financial Officer',
        speaker_role: 'executive',
        text,
        topic_id: i % 5 === 0 ? null : `${c.firm}:${QUARTER}:t${i % 10}`,
      });
    }
    for (let t = 0; t < 10; t++) {
      const words = (c.lines[t % c.lines.length] ?? '').toLowerCase().match(/[a-z]{4,}/g) ?? [];
      topics.push({
        topic_id: `${c.firm}:${QUARTER}:t${t}`,
        firm_id: c.firm,
        size: 5 + ((k + t) % 30),
        keywords: words.slice(0, 10),
        name: words.slice(0, 3).join(' ') || 'untitled',
        name_source: 'keywords',
        description: t % 2 ? null : (c.lines[t] ?? null),
        representative_sentence_ids: ids.slice(t, t + 5),
        centroid: Float32Array.from({ length: 100 }, (_, d) => Math.sin(k * 1000 + t * 100 + d) * 0.3),
        embedding_model: 'sif-wink-100d',
      });
    }
    firms.push({
      firm_id: c.firm,
      firm_name: null,
      ticker: c.firm,
      fiscal_quarter: QUARTER,
      call_date: null,
      source: 'ectsum',
      transcript_id: c.file.replace('.txt', ''),
      n_sentences_raw: c.lines.length + 12,
      n_sentences: c.lines.length,
      n_dropped_operator: 3,
      n_dropped_safe_harbor: 4,
      n_dropped_non_gaap: 2,
      n_dropped_greeting: 3,
      n_dropped_short: 0,
      n_topics: 10,
      seconds: 1.25 + k / 10,
      status: 'ok',
      run_id: 'bench',
    });
  }
  return { sentences, topics, firms };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'bench-part-writer-'));
try {
  const data = parts();
  console.log(
    `part writer: ${nFirms} firms, ${WARMUP} warm-up + ${runs} runs each, alternated A B A B (A = NDJSON, B = Arrow)\n`,
  );
  console.log(
    'part       rows   ndjson ms  arrow ms  arrow/ndjson  ndjson rows/s  arrow rows/s  ndjson cpu  arrow cpu  cpu ratio  KB n / a',
  );
  console.log(
    '           (wall-clock medians)                                          (process CPU ms, all threads)',
  );
  for (const name of ['sentences', 'topics', 'firms'] as TableName[]) {
    const rows = data[name as keyof typeof data];
    const table = TABLES[name];
    const writers = { ndjson: writeParquetNdjson, arrow: writeParquetArrow };
    const ms: Record<keyof typeof writers, number[]> = { ndjson: [], arrow: [] };
    const cpu: Record<keyof typeof writers, number[]> = { ndjson: [], arrow: [] };
    const size: Record<keyof typeof writers, number> = { ndjson: 0, arrow: 0 };
    for (let r = -WARMUP; r < runs; r++) {
      for (const w of ['ndjson', 'arrow'] as const) {
        const out = join(dir, `${name}-${w}-${r}.parquet`);
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await writers[w](table, rows, out);
        const dt = performance.now() - t0;
        const c = process.cpuUsage(c0);
        if (r >= 0) cpu[w].push((c.user + c.system) / 1000);
        size[w] = statSync(out).size;
        rmSync(out);
        if (r >= 0) ms[w].push(dt); // the first WARMUP runs warm both paths up (JIT, DuckDB caches)
      }
    }
    const [a, b] = [median(ms.ndjson), median(ms.arrow)];
    const [ca, cb] = [median(cpu.ndjson), median(cpu.arrow)];
    console.log(
      [
        name.padEnd(9),
        String(rows.length).padStart(6),
        a.toFixed(1).padStart(10),
        b.toFixed(1).padStart(9),
        (b / a).toFixed(2).padStart(13),
        Math.round((rows.length / a) * 1000)
          .toString()
          .padStart(14),
        Math.round((rows.length / b) * 1000)
          .toString()
          .padStart(13),
        ca.toFixed(1).padStart(11),
        cb.toFixed(1).padStart(10),
        (cb / ca).toFixed(2).padStart(9),
        `${(size.ndjson / 1024).toFixed(0)} / ${(size.arrow / 1024).toFixed(0)}`.padStart(10),
      ].join(' '),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
