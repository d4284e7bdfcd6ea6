import assert from 'node:assert/strict';
import { test } from 'vitest';
import { exactKnn } from '../../src/cluster/knn.js';
import { optimizeLayout, powerTables } from '../../src/cluster/layout.js';
import { log2Parts, pow2Int, pow2Times, powDet, powFromLog2 } from '../../src/cluster/pow.js';
import { Rng } from '../../src/cluster/rng.js';
import { findAbParams, fuzzySimplicialSet, spectralInit } from '../../src/cluster/umap.js';
import { gaussianBlobs } from './blobs.js';

// References: the exact x^y rounded to the nearest double (Python's decimal module at 60 digits, then float()).
// `**` misses some of these by an ulp on some Node versions; powDet must hit every one, on every version.
const B = 0.7904946609179693; // b of findAbParams(1, 0), the firm model's
const PAIRS: [number, number, number][] = [
  [1e-300, -0.5, 1e150],
  [1e-300, 0.3, 1.0000000000000076e-90],
  [1e-300, 0.7904946609179693, 7.105615850461879e-238],
  [2.5e-20, -2.5, 1.0119288512538814e49],
  [2.5e-20, -0.5, 6324555320.336759],
  [2.5e-20, 0.3, 1.316382204334238e-6],
  [2.5e-20, 0.7904946609179693, 3.1965112250193125e-16],
  [2.5e-20, 3.7, 2.967413253642061e-73],
  [0.001, -2.5, 31622776.60168379],
  [0.001, -0.5, 31.622776601683793],
  [0.001, 0.3, 0.12589254117941673],
  [0.001, 0.7904946609179693, 0.004251243855585972],
  [0.001, 3.7, 7.943282347242805e-12],
  [0.1, -2.5, 316.2277660168379],
  [0.1, -0.5, 3.162277660168379],
  [0.1, 0.3, 0.5011872336272724],
  [0.1, 0.7904946609179693, 0.16199639091164478],
  [0.1, 3.7, 0.00019952623149688793],
  [0.5, -2.5, 5.656854249492381],
  [0.5, -0.5, Math.SQRT2],
  [0.5, 0.3, 0.8122523963562356],
  [0.5, 0.7904946609179693, 0.5781458274742377],
  [0.5, 3.7, 0.07694652583405726],
  [0.999999, -2.5, 1.000002500004375],
  [0.999999, -0.5, 1.000000500000375],
  [0.999999, 0.3, 0.999999699999895],
  [0.999999, 0.7904946609179693, 0.9999992095052562],
  [0.999999, 3.7, 0.9999963000049948],
  [1.000001, -2.5, 0.9999975000043752],
  [1.000001, -0.5, 0.9999995000003751],
  [1.000001, 0.3, 1.000000299999895],
  [1.000001, 0.7904946609179693, 1.000000790494578],
  [1.000001, 3.7, 1.0000037000049946],
  [3, -2.5, 0.06415002990995841],
  [3, -0.5, 0.5773502691896257],
  [3, 0.3, 1.3903891703159093],
  [3, 0.7904946609179693, 2.3832072120366345],
  [3, 3.7, 58.25707055931402],
  [10, -2.5, 0.0031622776601683794],
  [10, -0.5, 0.31622776601683794],
  [10, 0.3, 1.9952623149688795],
  [10, 0.7904946609179693, 6.172977029750093],
  [10, 3.7, 5011.872336272725],
  [123.456, -2.5, 5.904994479458168e-6],
  [123.456, -0.5, 0.0900002880013824],
  [123.456, 0.3, 4.240857312651394],
  [123.456, 0.7904946609179693, 45.01209519015398],
  [123.456, 3.7, 54776609.34065351],
  [6.02e23, -2.5, 3.556385016628314e-60],
  [6.02e23, -0.5, 1.2888481555661677e-12],
  [6.02e23, 0.3, 13610652.544745015],
  [6.02e23, 0.7904946609179693, 6.27543831683847e18],
  [6.02e23, 3.7, 9.649549041402092e87],
  [1e300, -0.5, 1e-150],
  [1e300, 0.3, 9.999999999999924e89],
  [1e300, 0.7904946609179693, 1.4073375496861375e237],
];
/** The layout's mantissa-bucket midpoints c and c^B. */
const MIDS: [number, number][] = [
  [1.00390625, 1.0030866082290382],
  [1.07421875, 1.058226507302361],
  [1.14453125, 1.1126148401330984],
  [1.21484375, 1.166307165108823],
  [1.28515625, 1.2193519665324941],
  [1.35546875, 1.2717918922603422],
  [1.42578125, 1.3236647219187196],
  [1.49609375, 1.3750041347387336],
  [1.56640625, 1.4258403259424868],
  [1.63671875, 1.476200507004903],
  [1.70703125, 1.5261093157128494],
  [1.77734375, 1.5755891553279449],
  [1.84765625, 1.6246604774272988],
  [1.91796875, 1.6733420195601032],
  [1.98828125, 1.7216510063281463],
];
/** k and 2^(k·B), k·B taken exactly. */
const TWOS: [number, number][] = [
  [-1022, 6.341884901767287e-244],
  [-700, 2.6679455143027917e-167],
  [-300, 4.0852505340542105e-72],
  [-64, 5.893771871006312e-16],
  [-13, 0.0008062804758871325],
  [-1, 0.5781458274742377],
  [1, 1.7296674169019408],
  [2, 2.9917493730922327],
  [7, 46.31676628097641],
  [30, 13768230.574845616],
  [500, 9.57860301415848e118],
  [1000, 9.174963570284592e237],
  [1023, 2.727371189628396e243],
];

/** FNV-1a over the bytes of a Float64Array, for pinning exact bits. */
function fnv(a: Float64Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h = 0x811c9dc5;
  for (const x of bytes) h = Math.imul(h ^ x, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

test('powDet gives the correctly rounded x^y on every reference', () => {
  for (const [x, y, want] of PAIRS) assert.equal(powDet(x, y), want, `${x}^${y}`);
  for (const [c, want] of MIDS) assert.equal(powDet(c, B), want, `${c}^${B}`);
  for (const [k, want] of TWOS) assert.equal(pow2Times(k, B), want, `2^(${k}·${B})`);
  for (const [x, y, want] of PAIRS) {
    const [lh, ll] = log2Parts(x);
    assert.equal(powFromLog2(lh, ll, y), want, `${x}^${y} from log2`);
  }
});

test('powDet is within an ulp of ** across the range, exact where the power is, and keeps its special values', () => {
  const rng = new Rng(5);
  for (let i = 0; i < 20000; i++) {
    const x = (1 + rng.float()) * pow2Int(Math.floor(rng.float() * 1400) - 700);
    const y = rng.float() * 4 - 2;
    const want = x ** y;
    const got = powDet(x, y);
    assert.ok(
      got === want ||
        Math.abs(got - want) <= 1.0000001 * Math.max(Number.EPSILON * Math.abs(want), Number.MIN_VALUE),
      `${x}^${y}: ${got} vs ${want}`,
    );
  }
  for (const [x, y, want] of [
    [2, 10, 1024],
    [3, 2, 9],
    [10, -4, 0.0001],
    [10, 22, 1e22],
    [0.5, -3, 8],
    [4, 0.5, 2],
    [-2, 3, -8],
    [-2, 2, 4],
  ])
    assert.equal(powDet(x, y), want, `${x}^${y}`);
  for (let k = -1074; k <= 1023; k++) assert.equal(pow2Int(k), 2 ** k);
  const special: [number, number][] = [
    [0, 2],
    [0, -2],
    [-0, 3],
    [-0, -3],
    [Infinity, 0.5],
    [Infinity, -0.5],
    [-Infinity, 3],
    [NaN, 0],
    [NaN, 1],
    [1, NaN],
    [1, Infinity],
    [2, Infinity],
    [0.5, Infinity],
    [2, -Infinity],
    [-2, 0.5],
    [5, 0],
    [1e-310, 0.5],
    [1e308, 2],
    [1e-300, 2],
  ];
  for (const [x, y] of special)
    assert.ok(
      Object.is(powDet(x, y), x ** y) || powDet(x, y) === x ** y,
      `${x}^${y}: ${powDet(x, y)} vs ${x ** y}`,
    );
});

test('the layout tables and a seeded layout have the same bits on every Node version', () => {
  // These hashes were taken on Node 20 and Node 24 alike; a change means another engine or another algorithm
  // (then re-take them, on both versions).
  const { a, b } = findAbParams(1, 0);
  assert.equal(a, 1.9328090880801343);
  assert.equal(b, B);
  const t = powerTables(b);
  assert.equal(powerTables(b), t, 'tables made once per b');
  assert.equal(fnv(t.ofTwo), '457044bf');
  assert.equal(fnv(t.ofMid), '81044c25');
  const { m } = gaussianBlobs(300, 5, 20, 3, { spread: 1, separation: 5 });
  const graph = fuzzySimplicialSet(exactKnn(m, 14, 'euclidean'), 15);
  const rng = new Rng(42);
  const e = spectralInit(graph, 5, rng, 20);
  assert.equal(fnv(e), 'c2667c58');
  optimizeLayout(graph, e, 5, { nEpochs: 50, a, b }, rng);
  assert.equal(fnv(e), '08944e83');
});
