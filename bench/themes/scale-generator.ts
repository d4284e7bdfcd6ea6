/**
 * Scale generator: a realistic N-firm quarter of topics built by resampling real firms' topics.
 *
 * Input: the `topics` of real quarters in one or more lakes (ECTSum 2021Q1 and 2021Q2, Motley Fool 2021Q2,
 * each run through `callthemes firm-batch`). Output: a `topics` partition of a synthetic quarter in another lake, plus
 * (optionally) the following quarter built from the same synthetic firms, for lineage at scale.
 *
 * Each synthetic firm f (ids `S00001-<TEMPLATE>`):
 * 1. draws a template: one real firm, uniformly with replacement;
 * 2. takes the template's topics (each kept with probability 0.9 per quarter, as are borrowed ones);
 * 3. tops up to its topic budget (target topics / firms / 0.9, ± 40% uniform) with topics borrowed from other
 *    real firms that share the template's industry neighbourhood: with probability 0.7 a firm among the 20 real
 *    firms whose mean topic centroid is nearest the template's, else any real firm (so borrowed topics are
 *    plausible for the firm, not uniform noise);
 * 4. perturbs every topic: centroid + Gaussian noise of relative size ε (default 0.15, i.e. per dimension
 *    σ = ε·|c|/√d, cosine to the original ≈ 1/√(1+ε²) ≈ 0.99), size × U(0.8, 1.2), and drops one of its
 *    keywords with probability 0.3 (keyword lists stay real words from real topics).
 * The next quarter (with `--next`) reuses each synthetic firm's template and borrowed sources but draws new
 * keep/drop decisions and new noise, so themes persist across the two quarters as they would in real data.
 *
 * `--dim D` lifts every centroid from the source dimension d (100 for the offline vectors) to D, to measure the
 * theme stage at the served embedder's width (Qwen3-Embedding-8B: 4096) on the same topics: coordinate k is
 * spread over ⌊D/d⌋ scattered positions with random signs, scaled 1/√⌊D/d⌋ (an isometry: every cosine of the
 * d-dimensional data is kept, so themes at D should match themes at d), plus Gaussian noise of relative size
 * 0.01 on all D values (cosine to the exact lift ≈ 0.99995). The positions and signs are one seeded draw for
 * the whole quarter, like a fixed rotation. It is a fake of real 4096-d centroids: the information is the
 * 100-d vectors', spread out; what it measures is the cost of the width, not the quality of the embedder.
 * Parts are written per `--partition-size` synthetic firms (default 50, the firm workers' partitions), so memory
 * stays small at any D.
 *
 *   node --import @callthemes/common/register-source bench/themes/scale-generator.ts --sources ./lake:2021Q1,./lake:2021Q2,./lake-motley:2021Q2 \
 *     --out <scale-lake> --quarter 2031Q1 --firms 5000 --topics 125000 --next [--dim 4096]
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '@callthemes/common/cluster';
import { nextQuarter } from '@callthemes/common/config';
import {
  LocalLakeStore,
  partKey,
  type Row,
  scratchFile,
  TABLES,
  writeParquet,
} from '@callthemes/common/lake';
import type { TopicRecord } from '@callthemes/common/themes';
import { readQuarterTopics } from '@callthemes/theme-worker';

export interface ScaleOptions {
  firms: number;
  topics: number;
  epsilon?: number;
  seed?: number;
}

interface SyntheticFirm {
  firmId: string;
  template: number;
  /** Real topics (indices into the pool) this firm draws from: its template's, then borrowed ones. */
  sources: number[];
}

export interface TopicPool {
  topics: TopicRecord[];
  /** Topic indices of each real firm. */
  firms: { firmId: string; topics: number[] }[];
}

export function poolOf(topics: readonly TopicRecord[], quarterTag: (t: TopicRecord) => string): TopicPool {
  const byFirm = new Map<string, number[]>();
  topics.forEach((t, i) => {
    const key = `${t.firmId}@${quarterTag(t)}`;
    const list = byFirm.get(key) ?? [];
    list.push(i);
    byFirm.set(key, list);
  });
  return {
    topics: [...topics],
    firms: [...byFirm]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([firmId, list]) => ({ firmId, topics: list })),
  };
}

/** Plans the synthetic firms: template and topic sources. */
export function planFirms(pool: TopicPool, o: ScaleOptions): SyntheticFirm[] {
  const rng = new Rng(o.seed ?? 1);
  const d = pool.topics[0].centroid.length;
  // Mean unit centroid per real firm, for the "industry neighbourhood" of borrowed topics.
  const firmMeans = pool.firms.map((f) => {
    const acc = new Float64Array(d);
    for (const i of f.topics) {
      const c = pool.topics[i].centroid;
      let s = 0;
      for (let k = 0; k < d; k++) s += c[k] * c[k];
      const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let k = 0; k < d; k++) acc[k] += c[k] * inv;
    }
    let s = 0;
    for (let k = 0; k < d; k++) s += acc[k] * acc[k];
    return Float64Array.from(acc, (v) => v / Math.sqrt(s || 1));
  });
  const neighbours = firmMeans.map((m, a) =>
    firmMeans
      .map((o2, b) => ({ b, s: a === b ? Number.NEGATIVE_INFINITY : dot(m, o2) }))
      .sort((x, y) => y.s - x.s || x.b - y.b)
      .slice(0, 20)
      .map((x) => x.b),
  );
  // Each source is kept with probability 0.9 per quarter, so plan 1/0.9 as many to land on the target.
  const perFirm = o.topics / o.firms / 0.9;
  const out: SyntheticFirm[] = [];
  for (let f = 0; f < o.firms; f++) {
    const template = rng.int(pool.firms.length);
    const budget = Math.max(3, Math.round(perFirm * (0.6 + 0.8 * rng.float())));
    const sources = pool.firms[template].topics.slice(0, budget);
    while (sources.length < budget) {
      const donor = rng.float() < 0.7 ? neighbours[template][rng.int(20)] : rng.int(pool.firms.length);
      const list = pool.firms[donor].topics;
      sources.push(list[rng.int(list.length)]);
    }
    out.push({
      firmId: `S${String(f + 1).padStart(5, '0')}-${pool.firms[template].firmId.split('@')[0]}`,
      template,
      sources,
    });
  }
  return out;
}

/** One synthetic quarter's topic rows from the plan; `salt` varies the keep/noise draws between quarters. */
export function synthesizeQuarter(
  pool: TopicPool,
  plan: readonly SyntheticFirm[],
  quarter: string,
  o: { epsilon?: number; seed?: number; salt?: number },
): Row[] {
  return [...synthesizeFirms(pool, plan, quarter, o)].flat();
}

/** The same rows firm by firm (one firm's rows per step), so a large quarter is written part by part. */
export function* synthesizeFirms(
  pool: TopicPool,
  plan: readonly SyntheticFirm[],
  quarter: string,
  o: { epsilon?: number; seed?: number; salt?: number },
): Generator<Row[]> {
  const rng = new Rng((o.seed ?? 1) * 7919 + (o.salt ?? 0));
  const eps = o.epsilon ?? 0.15;
  for (const firm of plan) {
    const rows: Row[] = [];
    let n = 0;
    for (const src of firm.sources) {
      if (rng.float() >= 0.9) continue;
      const t = pool.topics[src];
      const d = t.centroid.length;
      let s = 0;
      for (let k = 0; k < d; k++) s += t.centroid[k] * t.centroid[k];
      const sigma = (eps * Math.sqrt(s)) / Math.sqrt(d);
      const centroid = Float32Array.from(t.centroid, (v) => v + sigma * rng.normal());
      const keywords = [...t.keywords];
      if (keywords.length > 3 && rng.float() < 0.3) keywords.splice(rng.int(keywords.length), 1);
      rows.push({
        topic_id: `${firm.firmId}:${quarter}:t${n++}`,
        firm_id: firm.firmId,
        size: Math.max(2, Math.round(t.size * (0.8 + 0.4 * rng.float()))),
        keywords,
        name: t.name,
        name_source: 'keywords',
        description: null,
        representative_sentence_ids: [],
        centroid,
        embedding_model: 'synthetic-resample',
      });
    }
    yield rows;
  }
}

/**
 * The isometric lift of `--dim` (see the header): from `from` to `to` dimensions, one seeded draw of positions
 * and signs; `lift(v, rng)` returns the lifted vector with relative noise `noise`.
 */
export function isometricLift(from: number, to: number, seed = 1, noise = 0.01) {
  if (to < from) throw new Error(`--dim ${to} is below the source dimension ${from}`);
  const copies = Math.floor(to / from);
  const rng = new Rng(seed * 104729 + to);
  const perm = Int32Array.from({ length: to }, (_, i) => i);
  for (let i = to - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const sign = Float32Array.from({ length: from * copies }, () => (rng.float() < 0.5 ? -1 : 1));
  const scale = 1 / Math.sqrt(copies);
  return (v: ArrayLike<number>, draw: Rng): Float32Array => {
    const out = new Float32Array(to);
    let s = 0;
    for (let k = 0; k < from; k++) {
      s += v[k] * v[k];
      for (let j = 0; j < copies; j++) out[perm[k * copies + j]] = sign[k * copies + j] * scale * v[k];
    }
    const sigma = (noise * Math.sqrt(s)) / Math.sqrt(to);
    if (sigma > 0) for (let c = 0; c < to; c++) out[c] += sigma * draw.normal();
    return out;
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      /** lake:quarter pairs whose topics form the pool of real firms. */
      sources: { type: 'string', default: './lake:2021Q1,./lake:2021Q2' },
      out: { type: 'string', default: join(tmpdir(), 'themes-scale') },
      quarter: { type: 'string', default: '2031Q1' },
      firms: { type: 'string', default: '5000' },
      topics: { type: 'string', default: '125000' },
      epsilon: { type: 'string', default: '0.15' },
      seed: { type: 'string', default: '1' },
      next: { type: 'boolean', default: false },
      dim: { type: 'string' },
      'partition-size': { type: 'string', default: '50' },
    },
  });
  const all: TopicRecord[] = [];
  const tags: string[] = [];
  for (const src of values.sources!.split(',')) {
    const at = src.lastIndexOf(':');
    const [lake, q] = [src.slice(0, at), src.slice(at + 1)];
    const { topics } = await readQuarterTopics(new LocalLakeStore(lake), q);
    if (topics.length === 0) throw new Error(`no topics for ${q} in ${lake}`);
    for (const t of topics) {
      all.push(t);
      tags.push(src);
    }
  }
  const tagOf = new Map(all.map((t, i) => [t, tags[i]]));
  const pool = poolOf(all, (t) => tagOf.get(t)!);
  const o = {
    firms: Number(values.firms),
    topics: Number(values.topics),
    epsilon: Number(values.epsilon),
    seed: Number(values.seed),
  };
  const plan = planFirms(pool, o);
  const out = new LocalLakeStore(values.out!);
  const quarters = values.next ? [values.quarter!, nextQuarter(values.quarter!)] : [values.quarter!];
  const sourceDim = pool.topics[0].centroid.length;
  const dim = values.dim ? Number(values.dim) : sourceDim;
  const lift = dim === sourceDim ? null : isometricLift(sourceDim, dim, o.seed);
  const perPart = Number(values['partition-size']);
  for (const [salt, q] of quarters.entries()) {
    const t0 = performance.now();
    const noise = new Rng(o.seed * 31 + salt);
    let part: Row[] = [];
    let parts = 0;
    let topics = 0;
    let firmsInPart = 0;
    const flush = async () => {
      const tmp = scratchFile(await out.scratchDir(), 'topics-scale');
      try {
        await writeParquet(TABLES.topics, part, tmp);
        await out.putFile(partKey('topics', q, parts, 1), tmp);
      } finally {
        await rm(tmp, { force: true });
      }
      topics += part.length;
      parts++;
      part = [];
      firmsInPart = 0;
    };
    for (const rows of synthesizeFirms(pool, plan, q, { ...o, salt })) {
      for (const r of rows) {
        if (lift) r.centroid = lift(r.centroid as Float32Array, noise);
        part.push(r);
      }
      if (++firmsInPart === perPart) await flush();
    }
    if (part.length > 0) await flush();
    process.stdout.write(
      `${q}: ${topics} topics of ${plan.length} firms from ${pool.firms.length} real firm-quarters ` +
        `(${pool.topics.length} real topics), ε=${o.epsilon}, ${dim}-d${lift ? ` (lifted from ${sourceDim}-d)` : ''}, ` +
        `${parts} parts written to ${values.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
