/**
 * x^y that gives the same bits on every JavaScript engine: it uses only +, −, ×, ÷ on doubles, which IEEE 754
 * rounds exactly, whereas `**` and Math.pow are whatever the engine's libm port does (V8 changed it between
 * Node 20 and Node 24: about one result in ten differs in the last bit, enough to change every SGD layout).
 *
 * Method: log2 x = e + log2 m (x = 2^e·m, m in [√½, √2)) with ln m = 2·atanh((m−1)/(m+1)) summed in
 * double-double, then 2^(y·log2 x) = 2^n · exp(f·ln 2) with n the nearest integer, the exponential by its
 * Taylor series at f·ln 2 / 2⁸ followed by 8 squarings, all in double-double. The result is within about 1e-29
 * (relative) of the exact value before its final rounding, so it is the correctly rounded double but for
 * astronomically rare near-halfway cases and subnormal results (rounded twice); either way the same bits
 * everywhere. About 1.5 µs a call: meant for tables and one-off fits, not inner loops.
 */

// Double-double results are returned in these two registers (high part, low part), so nothing is allocated.
let H = 0;
let L = 0;

const SPLITTER = 134217729; // 2^27 + 1 (Dekker's split; the arguments here stay far below 2^996)

/** H + L = a·b exactly. */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  H = p;
  L = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** H + L = a + b exactly. */
function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  H = s;
  L = a - (s - bb) + (b - bb);
}

/** (H, L) ≈ (ah + al)·(bh + bl). */
function mulDD(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p = H;
  const e = L + (ah * bl + al * bh);
  const s = p + e;
  H = s;
  L = e - (s - p);
}

/** (H, L) ≈ (ah + al) + (bh + bl). */
function addDD(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const s = H;
  const e = L + al + bl;
  const r = s + e;
  H = r;
  L = e - (r - s);
}

/** 1/n as a double-double, for a positive integer n. */
function recipDD(n: number): [number, number] {
  const h = 1 / n;
  twoProd(h, n);
  return [h, (1 - H - L) / n];
}

const LN2_HI = Math.LN2; // the nearest doubles; the _LO parts hold the rest
const LN2_LO = 2.3190468138462996e-17;
const LOG2E_HI = Math.LOG2E;
const LOG2E_LO = 2.0355273740931033e-17;

/** 1/(2k+1) for the atanh series, k = 0…ATANH_TERMS−1: |s| ≤ 0.172, so s^42 / 43 < 2⁻¹⁰⁶. */
const ATANH_TERMS = 22;
const ATANH_HI = new Float64Array(ATANH_TERMS);
const ATANH_LO = new Float64Array(ATANH_TERMS);
for (let k = 0; k < ATANH_TERMS; k++) [ATANH_HI[k], ATANH_LO[k]] = recipDD(2 * k + 1);

/** 1/k! for k = 0…EXP_TERMS: |v| ≤ 0.00136 after the scaling, so v^10 / 10! < 2⁻¹¹⁵. */
const EXP_TERMS = 9;
const EXP_SQUARINGS = 8;
const FACT_HI = new Float64Array(EXP_TERMS + 1);
const FACT_LO = new Float64Array(EXP_TERMS + 1);
for (let k = 0, f = 1; k <= EXP_TERMS; k++, f *= k) [FACT_HI[k], FACT_LO[k]] = recipDD(f);

/** 2^k for k in [−1074, 1023], by exact halving and doubling. */
const POW2_MIN = -1074;
const POW2 = new Float64Array(1023 - POW2_MIN + 1);
POW2[-POW2_MIN] = 1;
for (let k = 1; k <= 1023; k++) POW2[k - POW2_MIN] = POW2[k - 1 - POW2_MIN] * 2;
for (let k = -1; k >= POW2_MIN; k--) POW2[k - POW2_MIN] = POW2[k + 1 - POW2_MIN] / 2;

/** 2^k for an integer k in [−1074, 1023], exactly. */
export function pow2Int(k: number): number {
  return POW2[k - POW2_MIN];
}

const BITS = new Float64Array(1);
const WORDS = new Uint32Array(BITS.buffer);
const HI = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;

/** (H, L) ≈ log2 x for a finite x > 0. */
function log2DD(x: number): void {
  let scale = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2^54: subnormals become normal
    scale = -54;
  }
  BITS[0] = x;
  const hi = WORDS[HI];
  let e = ((hi >>> 20) & 0x7ff) - 1023 + scale;
  WORDS[HI] = (hi & 0x000fffff) | 0x3ff00000;
  let m = BITS[0];
  if (m > Math.SQRT2) {
    m /= 2;
    e++;
  }
  // s = (m − 1)/(m + 1) in double-double; m − 1 is exact (Sterbenz), m + 1 is split exactly.
  const num = m - 1;
  twoSum(m, 1);
  const dh = H;
  const dl = L;
  const q1 = num / dh;
  twoProd(q1, dh);
  const q2 = (num - H - L - q1 * dl) / dh;
  const sh = q1 + q2;
  const sl = q2 - (sh - q1);
  // ln m = 2s · Σ s^(2k) / (2k + 1), by Horner in s².
  mulDD(sh, sl, sh, sl);
  const s2h = H;
  const s2l = L;
  let ah = ATANH_HI[ATANH_TERMS - 1];
  let al = ATANH_LO[ATANH_TERMS - 1];
  for (let k = ATANH_TERMS - 2; k >= 0; k--) {
    mulDD(ah, al, s2h, s2l);
    addDD(H, L, ATANH_HI[k], ATANH_LO[k]);
    ah = H;
    al = L;
  }
  mulDD(ah, al, 2 * sh, 2 * sl);
  // log2 m = ln m · log2 e, plus the exponent.
  mulDD(H, L, LOG2E_HI, LOG2E_LO);
  addDD(e, 0, H, L);
}

/** 2^(th + tl) as a double, for a double-double argument. */
function exp2DD(th: number, tl: number): number {
  if (th > 1024 || (th === 1024 && tl >= 0)) return Number.POSITIVE_INFINITY;
  if (th < -1080) return 0;
  const n = Math.round(th);
  twoSum(th - n, tl); // th − n is exact
  // v = f·ln 2 / 2⁸, |v| ≤ 0.00136; w = e^v − 1 by Taylor, then e^(2v) − 1 = w(w + 2), 8 times.
  mulDD(H, L, LN2_HI, LN2_LO);
  const scale = 1 / (1 << EXP_SQUARINGS);
  const vh = H * scale;
  const vl = L * scale;
  let wh = FACT_HI[EXP_TERMS];
  let wl = FACT_LO[EXP_TERMS];
  for (let k = EXP_TERMS - 1; k >= 1; k--) {
    mulDD(wh, wl, vh, vl);
    addDD(H, L, FACT_HI[k], FACT_LO[k]);
    wh = H;
    wl = L;
  }
  mulDD(wh, wl, vh, vl);
  wh = H;
  wl = L;
  for (let i = 0; i < EXP_SQUARINGS; i++) {
    addDD(wh, wl, 2, 0);
    mulDD(wh, wl, H, L);
    wh = H;
    wl = L;
  }
  addDD(1, 0, wh, wl);
  const r = H + L;
  // r in [2^−½, 2^½]: scale by 2^n exactly while the result stays normal.
  if (n > 1023) return r * POW2[1023 - POW2_MIN] * POW2[n - 1023 - POW2_MIN];
  if (n >= -1022) return r * POW2[n - POW2_MIN];
  return r * POW2[-1022 - POW2_MIN] * POW2[n + 1022 - POW2_MIN];
}

/** 2^(k·b) for an integer k, with k·b taken exactly (not rounded to a double first). */
export function pow2Times(k: number, b: number): number {
  if (k === 0 || b === 0) return 1;
  twoProd(k, b);
  return exp2DD(H, L);
}

/** log2 x as a double-double [high, low], for a finite x > 0: with powFromLog2, x^y for many y at one x. */
export function log2Parts(x: number): [number, number] {
  log2DD(x);
  return [H, L];
}

/** x^y from log2 x as log2Parts gives it (the same bits as powDet(x, y) for a finite x > 0). */
export function powFromLog2(lh: number, ll: number, y: number): number {
  twoProd(y, lh);
  const th = H;
  const tl = L + y * ll;
  const s = th + tl;
  return exp2DD(s, tl - (s - th));
}

/**
 * x^y, the same on every engine. Special values follow Math.pow (ECMAScript Number::exponentiate), which are
 * exact: NaN, ±0, ±Infinity operands; a negative x gives NaN unless y is an integer.
 */
export function powDet(x: number, y: number): number {
  if (y === 0) return 1;
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (!Number.isFinite(y) || !Number.isFinite(x) || x === 0) return x ** y;
  if (x === 1) return 1;
  if (x < 0) {
    if (!Number.isInteger(y)) return Number.NaN;
    const r = powDet(-x, y);
    return Math.abs(y) % 2 === 1 ? -r : r;
  }
  log2DD(x);
  return powFromLog2(H, L, y);
}
