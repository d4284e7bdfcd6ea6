/**
 * Peer harness: BERTopic (PyPI, in the venv bench/peer/setup.sh makes) and callthemes on the same firms'
 * sentences with the same precomputed SIF vectors, one core each, per-firm seconds and NPMI side by side.
 *
 *   bash bench/peer/setup.sh
 *   node --import @callthemes/common/register-source bench/peer/run.ts --source motley-json --quarter 2021Q2 [--firms N] [--configs default,matched]
 *     --configs: BERTopic rows, any of default, default-stopwords, default-callwords, matched (bertopic_run.py)
 *     [--keep <dir>]   keep the exchange folder (vectors, each side's labels and keywords) for reading afterwards
 *     [--ours-models '[{"minClusterSize": 25}]']   more callthemes rows: settings over --model, timed once
 *                      ("stopWords": "english" or "none" swaps the call stop words for the English list alone or nothing)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matrixFromRows } from '@callthemes/common/cluster';
import { CALL_STOP_WORDS, callStopWords, fitFirmTopics } from '@callthemes/common/topics';
import {
  mean,
  npmiBench,
  printTable,
  quantile,
  scoreTopics,
  stopWordChoice,
  type TopicScores,
} from '../common.js';

// Vectors once, shared by both sides (npmiBench: what the firm stage embeds).
const { args, embedder, firms, ref, vectors } = await npmiBench({
  configs: { type: 'string', default: 'default,matched' },
  python: { type: 'string' },
  keep: { type: 'string' },
  'ours-models': { type: 'string', default: '[]' },
});
const python = String(args.values.python ?? '.venv-peer/bin/python');

interface OursOut {
  firm_id: string;
  labels: number[];
  keywords: string[][];
}

interface Row {
  cpu: number[];
  wall: number[];
  scores: TopicScores[];
  errors: number;
}
const rows = new Map<string, Row>();

const keep = args.values.keep as string | undefined;
if (keep) mkdirSync(keep, { recursive: true });
const dir = keep ?? mkdtempSync(join(tmpdir(), 'callthemes-peer-'));
try {
  let offset = 0;
  const meta = firms.map((f, i) => {
    // The call's speaker and firm names, which callthemes also keeps out of its keywords (callStopWords).
    const names = [...callStopWords(f.transcript)].filter((w) => !CALL_STOP_WORDS.has(w));
    const m = { firm_id: f.transcript.firmId, texts: f.texts, offset, n: vectors[i].length, names };
    offset += vectors[i].length;
    return m;
  });
  const flat = new Float32Array(offset * embedder.dim);
  vectors.flat().forEach((v, i) => {
    flat.set(v, i * embedder.dim);
  });
  writeFileSync(join(dir, 'vectors.f32'), new Uint8Array(flat.buffer));
  const configs = String(args.values.configs).split(',');
  writeFileSync(
    join(dir, 'firms.json'),
    JSON.stringify({ dim: embedder.dim, configs, firms: meta, stopWords: [...CALL_STOP_WORDS] }),
  );

  // callthemes, in this process; the first firm is fitted once more first to warm the JIT.
  const fitOurs = async (model: Record<string, unknown>): Promise<Row & { out: OursOut[] }> => {
    const row: Row & { out: OursOut[] } = { cpu: [], wall: [], scores: [], errors: 0, out: [] };
    const { settings, stopWordsFor } = stopWordChoice(model);
    for (let i = -1; i < firms.length; i++) {
      const f = firms[Math.max(0, i)];
      const m = matrixFromRows(vectors[Math.max(0, i)], embedder.dim);
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const stopWords = stopWordsFor(f);
      const fit = await fitFirmTopics(m, f.texts, { ...settings, stopWords, topKeywords: 25 });
      const c = process.cpuUsage(c0);
      const wall = (performance.now() - w0) / 1000;
      if (i < 0) continue;
      const keywords = fit.topics.map((t) => t.keywords);
      row.out.push({ firm_id: f.transcript.firmId, labels: [...fit.labels], keywords });
      row.cpu.push((c.user + c.system) / 1e6);
      row.wall.push(wall);
      row.scores.push(scoreTopics(ref, keywords, fit.labels));
    }
    return row;
  };
  // The headline model is timed twice, before and after BERTopic, and each firm's seconds are the mean of the
  // two passes, so a change in the shared machine's load during the long BERTopic run weighs on both sides.
  const first = await fitOurs(args.model);
  const extraModels = JSON.parse(String(args.values['ours-models'])) as Record<string, unknown>[];
  const extra = [];
  for (const model of extraModels) extra.push({ model, row: await fitOurs({ ...args.model, ...model }) });
  const env = {
    ...process.env,
    OMP_NUM_THREADS: '1',
    NUMBA_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
  };
  const py = spawnSync(python, ['bench/peer/bertopic_run.py', dir], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (py.status !== 0) throw new Error(`BERTopic run failed (${py.status}): ${py.stderr.slice(-2000)}`);
  const second = await fitOurs(args.model);
  rows.set('callthemes (TypeScript)', {
    ...first,
    cpu: first.cpu.map((c, i) => (c + second.cpu[i]) / 2),
    wall: first.wall.map((w, i) => (w + second.wall[i]) / 2),
  });
  for (const { model, row } of extra) rows.set(`callthemes ${JSON.stringify(model)}`, row);
  if (keep) {
    const out = {
      default: first.out,
      ...Object.fromEntries(extra.map((x) => [JSON.stringify(x.model), x.row.out])),
    };
    writeFileSync(join(dir, 'callthemes.json'), JSON.stringify(out));
  }
  for (const config of configs) {
    const res = JSON.parse(readFileSync(join(dir, `bertopic-${config}.json`), 'utf8')) as {
      firms: { cpu: number; wall: number; labels: number[]; keywords: string[][]; error: string | null }[];
    };
    rows.set(`BERTopic 0.17.4 (${config})`, {
      cpu: res.firms.map((f) => f.cpu),
      wall: res.firms.map((f) => f.wall),
      scores: res.firms.map((f) => scoreTopics(ref, f.keywords, f.labels)),
      errors: res.firms.filter((f) => f.error).length,
    });
  }
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

const oursP50 = quantile(rows.get('callthemes (TypeScript)')!.cpu, 0.5);
console.log(
  `peer ${args.source} ${args.quarter}: ${firms.length} firms, same SIF vectors, one thread each; seconds are CPU seconds per firm`,
);
printTable(
  [
    'method',
    'p50 s',
    'p90 s',
    'p50 wall s',
    '× callthemes',
    'topics/firm',
    'outliers',
    'NPMI top-10',
    'diversity',
    'failed',
  ],
  [...rows.entries()].map(([name, r]) => [
    name,
    quantile(r.cpu, 0.5),
    quantile(r.cpu, 0.9),
    quantile(r.wall, 0.5),
    `${(quantile(r.cpu, 0.5) / oursP50).toFixed(1)}×`,
    mean(r.scores.map((s) => s.nTopics)),
    `${(100 * mean(r.scores.map((s) => s.outlierShare))).toFixed(1)}%`,
    mean(r.scores.map((s) => s.npmi)),
    mean(r.scores.map((s) => s.diversity)),
    r.errors,
  ]),
);
