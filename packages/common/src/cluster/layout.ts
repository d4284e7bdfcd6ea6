/**
 * The SGD layout of UMAP (umap-learn's optimize_layout_euclidean with move_other): attract the ends of sampled
 * graph edges, repel each head from uniformly drawn points. This loop is most of a small reduction's time, so it
 * is written for speed: flat typed arrays, locals hoisted, a xorshift32 generator inline (seeded from the caller's
 * Rng, so a seed always gives the same layout), and the arithmetic unrolled for 2 and 5 output dimensions.
 */
import { pow2Int, pow2Times, powDet } from './pow.js';
import type { Rng } from './rng.js';
import type { SparseGraph } from './sparse.js';

export interface LayoutOptions {
  nEpochs: number;
  a: number;
  b: number;
  learningRate?: number;
  negativeSampleRate?: number;
  repulsionStrength?: number;
  /** false runs the loop written for any dimension even for 2 and 5 (tests check they agree bit for bit). */
  unrolled?: boolean;
}

/** The sampled edges of a graph: heads, tails and how many epochs pass between two samples of each. */
export interface EdgeSchedule {
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly epochsPerSample: Float64Array;
}

/** Edges too weak to be sampled once in nEpochs are dropped, as umap-learn does. */
export function edgeSchedule(graph: SparseGraph, nEpochs: number): EdgeSchedule {
  let wMax = 0;
  for (const w of graph.weights) if (w > wMax) wMax = w;
  const floor = wMax / nEpochs;
  let m = 0;
  for (const w of graph.weights) if (w >= floor) m++;
  const head = new Int32Array(m);
  const tail = new Int32Array(m);
  const epochsPerSample = new Float64Array(m);
  let s = 0;
  for (let i = 0; i < graph.n; i++) {
    for (let p = graph.indptr[i]; p < graph.indptr[i + 1]; p++) {
      const w = graph.weights[p];
      if (w < floor) continue;
      head[s] = i;
      tail[s] = graph.indices[p];
      epochsPerSample[s] = wMax / w;
      s++;
    }
  }
  return { head, tail, epochsPerSample };
}

/** Rescales each axis of the start layout to [0, 10], as umap-learn does before optimising. */
export function rescaleLayout(embedding: Float64Array, n: number, dim: number): void {
  for (let c = 0; c < dim; c++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = embedding[i * dim + c];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const scale = 10 / (hi - lo || 1);
    for (let i = 0; i < n; i++) embedding[i * dim + c] = (embedding[i * dim + c] - lo) * scale;
  }
}

interface Sgd {
  e: Float64Array;
  n: number;
  dim: number;
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  nEpochs: number;
  a: number;
  b: number;
  gamma: number;
  alpha0: number;
  negRate: number;
  seed: number;
}

/** Optimises `embedding` (n × dim, row-major) in place. */
export function optimizeLayout(
  graph: SparseGraph,
  embedding: Float64Array,
  dim: number,
  o: LayoutOptions,
  rng: Rng,
): void {
  const sched = edgeSchedule(graph, o.nEpochs);
  rescaleLayout(embedding, graph.n, dim);
  const sgd: Sgd = {
    e: embedding,
    n: graph.n,
    dim,
    ...sched,
    nEpochs: o.nEpochs,
    a: o.a,
    b: o.b,
    gamma: o.repulsionStrength ?? 1,
    alpha0: o.learningRate ?? 1,
    negRate: o.negativeSampleRate ?? 5,
    // xorshift32 needs a non-zero state.
    seed: rng.nextUint32() | 1,
  };
  const unrolled = o.unrolled ?? true;
  if (unrolled && dim === 5) sgd5(sgd);
  else if (unrolled && dim === 2) sgd2(sgd);
  else sgdAny(sgd);
}

// Shared by the three loops below (they differ only in how a row is read and moved):
// - x^b is powFixed (below) on tables made once per b: the loop's critical path without a call; the tables and
//   the rare fallback come from powDet, not `**`, whose last bit differs between engines (Node 20 and 24) and
//   would make the same seed give another layout;
// - a draw in [0, n) is floor(u32 · n · 2⁻³²), which needs no division;
// - every gradient component is clipped to [−4, 4] before the learning rate, as in umap-learn.
const INV_TWO_POW_32 = 1 / 4294967296;

/** 2^k for k in [−1022, 1023], indexed by k + 1022. */
const POW2 = Float64Array.from({ length: 2046 }, (_, i) => pow2Int(i - 1022));

// The sign, exponent and top mantissa bits of a double: its high 32 bits, at byte 4 on little-endian platforms.
const BITS = new Float64Array(1);
const HIGH_WORD = new Int32Array(BITS.buffer, new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 4 : 0, 1);
const MID_BITS = 7;
/** For each top-7-bit mantissa bucket of [1, 2): its midpoint c and 1/c. */
const MID = Float64Array.from({ length: 1 << MID_BITS }, (_, i) => 1 + (i + 0.5) / (1 << MID_BITS));
const INV_MID = MID.map((c) => 1 / c);

/** What powFixed needs for one exponent b, made once per layout. */
export interface PowerTables {
  /** (2^k)^b for k in [−1022, 1023], indexed by k + 1022; NaN where the result could leave the normal range. */
  readonly ofTwo: Float64Array;
  /** c^b for each mantissa bucket's midpoint c. */
  readonly ofMid: Float64Array;
  /** Taylor coefficients of (1 + u)^b: b(b−1)/2 and b(b−1)(b−2)/6. */
  readonly c2: number;
  readonly c3: number;
}

const tablesByB = new Map<number, PowerTables>();

/** The tables for b, made once per b (a few milliseconds; the layouts of a run share one b). Do not modify them. */
export function powerTables(b: number): PowerTables {
  let t = tablesByB.get(b);
  if (!t) {
    if (tablesByB.size >= 16) tablesByB.clear();
    t = makePowerTables(b);
    tablesByB.set(b, t);
  }
  return t;
}

function makePowerTables(b: number): PowerTables {
  const c2 = (b * (b - 1)) / 2;
  return {
    ofTwo: Float64Array.from({ length: 2046 }, (_, i) => {
      const y = (i - 1022) * b;
      return y > -1000 && y < 1000 ? pow2Times(i - 1022, b) : Number.NaN;
    }),
    ofMid: MID.map((c) => powDet(c, b)),
    c2,
    c3: (c2 * (b - 2)) / 3,
  };
}

/**
 * x^b for a finite x > 0 with b fixed by the tables: x = 2^k · m with m in [1, 2) and m = c·(1 + u) for the
 * midpoint c of m's 7-bit bucket, so x^b = (2^b)^k · c^b · (1 + u)^b, the last by its cubic Taylor polynomial
 * (|u| < 2⁻⁸: relative error < 1e-11). About half the dependent operations of exp(b · ln x) computed inline,
 * and the layout loop waits on this value before each next step. Subnormal, huge or out-of-table inputs fall
 * back to powDet. The arguments are the table's fields, so the loops pass loop-invariant locals.
 */
export function powFixed(
  x: number,
  b: number,
  c2: number,
  c3: number,
  ofTwo: Float64Array,
  ofMid: Float64Array,
): number {
  BITS[0] = x;
  const hi = HIGH_WORD[0];
  const k = (hi >> 20) - 1023;
  if (k < -1022 || k > 1022) return powDet(x, b);
  const i = (hi >> (20 - MID_BITS)) & ((1 << MID_BITS) - 1);
  const u = (x * POW2[1022 - k] - MID[i]) * INV_MID[i];
  const p = ofTwo[k + 1022] * ofMid[i] * (1 + u * b + u * u * (c2 + u * c3));
  // NaN only where the table marks the range unsafe.
  return Number.isNaN(p) ? powDet(x, b) : p;
}

function sgd5(o: Sgd): void {
  const { e, n, head, tail, epochsPerSample, nEpochs, a, b, gamma, alpha0, negRate } = o;
  const m = head.length;
  const epochsPerNeg = epochsPerSample.map((x) => x / negRate);
  const nextSample = Float64Array.from(epochsPerSample);
  const nextNeg = Float64Array.from(epochsPerNeg);
  const attract = -2 * a * b;
  const repel = 2 * gamma * b;
  const { c2, c3, ofTwo, ofMid } = powerTables(b);
  let r = o.seed;
  for (let epoch = 0; epoch < nEpochs; epoch++) {
    const alpha = alpha0 * (1 - epoch / nEpochs);
    for (let s = 0; s < m; s++) {
      if (nextSample[s] > epoch) continue;
      const j = head[s] * 5;
      const k = tail[s] * 5;
      let x0 = e[j];
      let x1 = e[j + 1];
      let x2 = e[j + 2];
      let x3 = e[j + 3];
      let x4 = e[j + 4];
      const d0 = x0 - e[k];
      const d1 = x1 - e[k + 1];
      const d2 = x2 - e[k + 2];
      const d3 = x3 - e[k + 3];
      const d4 = x4 - e[k + 4];
      const dist2 = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4;
      if (dist2 > 0) {
        const pb = powFixed(dist2, b, c2, c3, ofTwo, ofMid);
        const c = (attract * pb) / (dist2 * (a * pb + 1));
        let g = c * d0;
        g = Math.min(4, Math.max(-4, g)) * alpha;
        x0 += g;
        e[k] -= g;
        g = c * d1;
        g = Math.min(4, Math.max(-4, g)) * alpha;
        x1 += g;
        e[k + 1] -= g;
        g = c * d2;
        g = Math.min(4, Math.max(-4, g)) * alpha;
        x2 += g;
        e[k + 2] -= g;
        g = c * d3;
        g = Math.min(4, Math.max(-4, g)) * alpha;
        x3 += g;
        e[k + 3] -= g;
        g = c * d4;
        g = Math.min(4, Math.max(-4, g)) * alpha;
        x4 += g;
        e[k + 4] -= g;
      }
      nextSample[s] += epochsPerSample[s];
      const nNeg = Math.floor((epoch - nextNeg[s]) / epochsPerNeg[s]);
      for (let p = 0; p < nNeg; p++) {
        r ^= r << 13;
        r ^= r >>> 17;
        r ^= r << 5;
        const ko = Math.floor((r >>> 0) * n * INV_TWO_POW_32) * 5;
        if (ko === j) continue;
        const q0 = x0 - e[ko];
        const q1 = x1 - e[ko + 1];
        const q2 = x2 - e[ko + 2];
        const q3 = x3 - e[ko + 3];
        const q4 = x4 - e[ko + 4];
        const dq = q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3 + q4 * q4;
        if (dq <= 0) continue;
        const c = repel / ((0.001 + dq) * (a * powFixed(dq, b, c2, c3, ofTwo, ofMid) + 1));
        let g = c * q0;
        x0 += Math.min(4, Math.max(-4, g)) * alpha;
        g = c * q1;
        x1 += Math.min(4, Math.max(-4, g)) * alpha;
        g = c * q2;
        x2 += Math.min(4, Math.max(-4, g)) * alpha;
        g = c * q3;
        x3 += Math.min(4, Math.max(-4, g)) * alpha;
        g = c * q4;
        x4 += Math.min(4, Math.max(-4, g)) * alpha;
      }
      e[j] = x0;
      e[j + 1] = x1;
      e[j + 2] = x2;
      e[j + 3] = x3;
      e[j + 4] = x4;
      nextNeg[s] += nNeg * epochsPerNeg[s];
    }
  }
}

function sgd2(o: Sgd): void {
  const { e, n, head, tail, epochsPerSample, nEpochs, a, b, gamma, alpha0, negRate } = o;
  const m = head.length;
  const epochsPerNeg = epochsPerSample.map((x) => x / negRate);
  const nextSample = Float64Array.from(epochsPerSample);
  const nextNeg = Float64Array.from(epochsPerNeg);
  const attract = -2 * a * b;
  const repel = 2 * gamma * b;
  const { c2, c3, ofTwo, ofMid } = powerTables(b);
  let r = o.seed;
  for (let epoch = 0; epoch < nEpochs; epoch++) {
    const alpha = alpha0 * (1 - epoch / nEpochs);
    for (let s = 0; s < m; s++) {
      if (nextSample[s] > epoch) continue;
      const j = head[s] * 2;
      const k = tail[s] * 2;
      let x0 = e[j];
      let x1 = e[j + 1];
      const d0 = x0 - e[k];
      const d1 = x1 - e[k + 1];
      const dist2 = d0 * d0 + d1 * d1;
      if (dist2 > 0) {
        const pb = powFixed(dist2, b, c2, c3, ofTwo, ofMid);
        const c = (attract * pb) / (dist2 * (a * pb + 1));
        let g = c * d0;
        g = Math.min(4, Math.max(-4, g)) * alpha;
        x0 += g;
        e[k] -= g;
        g = c * d1;
        g = Math.min(4, Math.max(-4, g)) * alpha;
        x1 += g;
        e[k + 1] -= g;
      }
      nextSample[s] += epochsPerSample[s];
      const nNeg = Math.floor((epoch - nextNeg[s]) / epochsPerNeg[s]);
      for (let p = 0; p < nNeg; p++) {
        r ^= r << 13;
        r ^= r >>> 17;
        r ^= r << 5;
        const ko = Math.floor((r >>> 0) * n * INV_TWO_POW_32) * 2;
        if (ko === j) continue;
        const q0 = x0 - e[ko];
        const q1 = x1 - e[ko + 1];
        const dq = q0 * q0 + q1 * q1;
        if (dq <= 0) continue;
        const c = repel / ((0.001 + dq) * (a * powFixed(dq, b, c2, c3, ofTwo, ofMid) + 1));
        let g = c * q0;
        x0 += Math.min(4, Math.max(-4, g)) * alpha;
        g = c * q1;
        x1 += Math.min(4, Math.max(-4, g)) * alpha;
      }
      e[j] = x0;
      e[j + 1] = x1;
      nextNeg[s] += nNeg * epochsPerNeg[s];
    }
  }
}

/** Any dimension: the head's row is copied into a scratch row while its edge is processed. */
function sgdAny(o: Sgd): void {
  const { e, n, dim, head, tail, epochsPerSample, nEpochs, a, b, gamma, alpha0, negRate } = o;
  const m = head.length;
  const epochsPerNeg = epochsPerSample.map((x) => x / negRate);
  const nextSample = Float64Array.from(epochsPerSample);
  const nextNeg = Float64Array.from(epochsPerNeg);
  const attract = -2 * a * b;
  const repel = 2 * gamma * b;
  const { c2, c3, ofTwo, ofMid } = powerTables(b);
  const x = new Float64Array(dim);
  let r = o.seed;
  for (let epoch = 0; epoch < nEpochs; epoch++) {
    const alpha = alpha0 * (1 - epoch / nEpochs);
    for (let s = 0; s < m; s++) {
      if (nextSample[s] > epoch) continue;
      const j = head[s] * dim;
      const k = tail[s] * dim;
      let dist2 = 0;
      for (let d = 0; d < dim; d++) {
        x[d] = e[j + d];
        const t = x[d] - e[k + d];
        dist2 += t * t;
      }
      if (dist2 > 0) {
        const pb = powFixed(dist2, b, c2, c3, ofTwo, ofMid);
        const c = (attract * pb) / (dist2 * (a * pb + 1));
        for (let d = 0; d < dim; d++) {
          let g = c * (x[d] - e[k + d]);
          g = Math.min(4, Math.max(-4, g)) * alpha;
          x[d] += g;
          e[k + d] -= g;
        }
      }
      nextSample[s] += epochsPerSample[s];
      const nNeg = Math.floor((epoch - nextNeg[s]) / epochsPerNeg[s]);
      for (let p = 0; p < nNeg; p++) {
        r ^= r << 13;
        r ^= r >>> 17;
        r ^= r << 5;
        const ko = Math.floor((r >>> 0) * n * INV_TWO_POW_32) * dim;
        if (ko === j) continue;
        let dq = 0;
        for (let d = 0; d < dim; d++) {
          const t = x[d] - e[ko + d];
          dq += t * t;
        }
        if (dq <= 0) continue;
        const c = repel / ((0.001 + dq) * (a * powFixed(dq, b, c2, c3, ofTwo, ofMid) + 1));
        for (let d = 0; d < dim; d++) {
          const g = c * (x[d] - e[ko + d]);
          x[d] += Math.min(4, Math.max(-4, g)) * alpha;
        }
      }
      for (let d = 0; d < dim; d++) e[j + d] = x[d];
      nextNeg[s] += nNeg * epochsPerNeg[s];
    }
  }
}
