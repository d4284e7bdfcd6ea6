/**
 * The firm stage at the served embedder's width: the largest full call in the data (Motley Fool JSON, the call
 * with the most prepared sentences) through `runFirmStage` (sentences → embeddings → firm topic model → names →
 * sentence sentiment → lake parts) with sentence vectors of D dimensions, each D in its own child process so its
 * peak RSS is the stage's alone (word vectors, DuckDB and the lake writer included, as in a firm task).
 *
 * The 4096-d vectors are a FAKE of Qwen3-Embedding-8B's (no GPU here): `LiftedEmbedder` lifts the offline
 * 100-d SIF vectors isometrically (each coordinate spread over ⌊D/100⌋ coordinates with alternating signs,
 * scaled 1/√⌊D/100⌋), so every cosine and thus the topics are the 100-d ones and only the cost of the width
 * is measured. D = 100 is the offline embedder itself. Runs alternate between the widths.
 *
 *   node --import @callthemes/common/register-source bench/firm/wide.ts [--input <motley-json>] [--dims 100,4096] [--runs 3] [--quarter Q --firm F]
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Embedder } from '@callthemes/common/embed';
import { SifEmbedder } from '@callthemes/common/embed';
import { openStore } from '@callthemes/common/lake';
import { LexiconClassifier } from '@callthemes/common/sentiment';
import { createSource, prepareSentences } from '@callthemes/common/sources';
import { tempDir } from '@callthemes/common/testing/paths';
import { createTopicAnalyzer } from '@callthemes/common/topics';
import { runFirmStage } from '@callthemes/firm-worker';
import { quantile } from '../common.js';

/** FAKE of a wide embedder (see the header): the inner embedder's vectors lifted to `dim` dimensions. */
export class LiftedEmbedder implements Embedder {
  readonly model: string;
  constructor(
    private readonly inner: Embedder,
    readonly dim: number,
  ) {
    this.model = `${inner.model}-lifted-${dim}`;
  }
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const d = this.inner.dim;
    const copies = Math.floor(this.dim / d);
    const scale = 1 / Math.sqrt(copies);
    return (await this.inner.embed(texts)).map((v) => {
      const out = new Float32Array(this.dim);
      for (let k = 0; k < d; k++)
        for (let j = 0; j < copies; j++) out[j * d + k] = ((k + j) % 2 ? -scale : scale) * v[k];
      return out;
    });
  }
}

interface ChildResult {
  dim: number;
  sentences: number;
  topics: number;
  wall: number;
  cpu: number;
  peakMb: number;
}

async function child(input: string, quarter: string, firm: string, dim: number): Promise<void> {
  const t0 = performance.now();
  const sif = SifEmbedder.load();
  const embedder = dim === sif.dim ? sif : new LiftedEmbedder(sif, dim);
  const lake = tempDir('callthemes-firm-wide-');
  try {
    const result = await runFirmStage({
      store: openStore(lake.path),
      source: await createSource({ kind: 'motley-json', input }),
      quarter,
      batch: 0,
      batchSize: 1,
      runId: 'bench-wide',
      flushEvery: 50,
      filter: { minTokens: 5 },
      analyzer: createTopicAnalyzer({ embedder, model: { seed: 42 } }),
      classifier: new LexiconClassifier(),
      firmIds: [firm],
    });
    if (result.firmsOk !== 1) throw new Error(`${firm} ${quarter} was rejected`);
    const cpu = process.cpuUsage();
    const out: ChildResult = {
      dim,
      sentences: result.sentences,
      topics: result.topics,
      wall: (performance.now() - t0) / 1000,
      cpu: (cpu.user + cpu.system) / 1e6,
      peakMb: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    lake.cleanup();
  }
}

/** The call with the most prepared sentences (ties: the first file name). */
async function largestCall(input: string): Promise<{ quarter: string; firm: string; sentences: number }> {
  const quarters = new Set<string>();
  for (const f of readdirSync(input)) {
    const m = /_q([1-4])_(\d{4})\.json$/.exec(f);
    if (m) quarters.add(`${m[2]}Q${m[1]}`);
  }
  const source = await createSource({ kind: 'motley-json', input });
  let best = { quarter: '', firm: '', sentences: -1 };
  for (const quarter of [...quarters].sort()) {
    const ids = (await source.listFirms(quarter as never)).firms.map((f) => f.firmId);
    for await (const f of source.fetchTranscripts(quarter as never, ids)) {
      if (!f.ok) continue;
      const n = prepareSentences(f.transcript, { minTokens: 5 }).sentences.length;
      if (n > best.sentences) best = { quarter, firm: f.transcript.firmId, sentences: n };
    }
  }
  await source.close?.();
  return best;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      input: { type: 'string', default: join('..', 'shared', 'data', 'motley-fool-json') },
      dims: { type: 'string', default: '100,4096' },
      runs: { type: 'string', default: '3' },
      quarter: { type: 'string' },
      firm: { type: 'string' },
      child: { type: 'string' },
    },
  });
  const input = values.input!;
  if (values.child) return child(input, values.quarter!, values.firm!, Number(values.child));
  const call =
    values.quarter && values.firm
      ? { quarter: values.quarter, firm: values.firm, sentences: Number.NaN }
      : await largestCall(input);
  process.stdout.write(
    `largest call: ${call.firm} ${call.quarter} (${call.sentences} prepared sentences)\n` +
      '| D | sentences | topics | wall s | CPU s | peak RSS MB |\n|---|---|---|---|---|---|\n',
  );
  const dims = values.dims!.split(',').map(Number);
  const results: ChildResult[] = [];
  for (let r = 0; r < Number(values.runs); r++)
    for (const dim of dims) {
      const p = spawnSync(
        process.execPath,
        [
          ...process.execArgv,
          process.argv[1],
          '--child',
          String(dim),
          '--input',
          input,
          '--quarter',
          call.quarter,
          '--firm',
          call.firm,
        ],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      if (p.status !== 0) throw new Error(`child ${dim} failed: ${p.stderr}`);
      const res = JSON.parse(p.stdout.trim().split('\n').at(-1)!) as ChildResult;
      results.push(res);
      process.stdout.write(
        `| ${dim} | ${res.sentences} | ${res.topics} | ${res.wall.toFixed(1)} | ${res.cpu.toFixed(1)} | ${res.peakMb.toFixed(0)} |\n`,
      );
    }
  process.stdout.write(
    '\nmedians (ratio to the first width):\n| D | wall s | CPU s | peak RSS MB |\n|---|---|---|---|\n',
  );
  const med = (dim: number, f: (x: ChildResult) => number) =>
    quantile(results.filter((x) => x.dim === dim).map(f), 0.5);
  for (const dim of dims) {
    const cell = (f: (x: ChildResult) => number, digits: number) =>
      dim === dims[0]
        ? med(dim, f).toFixed(digits)
        : `${med(dim, f).toFixed(digits)} (${(med(dim, f) / med(dims[0], f)).toFixed(2)}×)`;
    process.stdout.write(
      `| ${dim} | ${cell((x) => x.wall, 1)} | ${cell((x) => x.cpu, 1)} | ${cell((x) => x.peakMb, 0)} |\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
