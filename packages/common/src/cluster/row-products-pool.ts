/**
 * `rowProducts` on two threads: the calling thread takes the first half of a's rows, one worker thread the
 * rest, on arrays in SharedArrayBuffers (nothing is copied). The wide PCA's products are the large ones (17 G
 * multiply-adds to project 125k × 4,196 rows on 32 components) and split evenly by rows.
 *
 * Synchronous for the caller, like `rowProducts`: the worker is signalled and awaited through Atomics, so no
 * event-loop turn is needed. The worker runs `rowProducts`' own source (an eval worker), so the same code works
 * from the built package and from TypeScript source. Each row's products are the same sums as on one thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { rowProducts } from './row-products.js';

/** Control words: job sequence, finished sequence, a's index, first row, rows, b rows, width, stop, ready. */
const SEQ = 0;
const DONE = 1;
const A_INDEX = 2;
const A_START = 3;
const A_ROWS = 4;
const B_ROWS = 5;
const WIDTH = 6;
const STOP = 7;
const READY = 8;
/** How long the first product waits for the worker to start before doing the work alone. */
const START_TIMEOUT_MS = 30_000;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const rowProducts = ${rowProducts.toString()};
const control = new Int32Array(workerData.control);
const as = workerData.as.map((buffer) => new Float32Array(buffer));
const b = new Float64Array(workerData.b);
const out = new Float64Array(workerData.out);
let seen = 0;
Atomics.store(control, ${READY}, 1);
Atomics.notify(control, ${READY});
for (;;) {
  Atomics.wait(control, ${SEQ}, seen);
  seen = Atomics.load(control, ${SEQ});
  if (control[${STOP}]) break;
  const width = control[${WIDTH}];
  const start = control[${A_START}];
  const bRows = control[${B_ROWS}];
  rowProducts(as[control[${A_INDEX}]].subarray(start * width), control[${A_ROWS}], b, bRows, width,
    out.subarray(start * bRows));
  Atomics.store(control, ${DONE}, seen);
  Atomics.notify(control, ${DONE});
}
`;

/** Float32 rows in shared memory, for a pool's left-hand sides. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}

export interface RowProductsPool {
  /**
   * out[i · bRows + j] = as[aIndex]_i · b_j for the first aRows rows (out and b are the pool's own `out` and `b`).
   */
  run(aIndex: number, aRows: number, bRows: number, width: number): void;
  /** Right-hand rows (write them before `run`). */
  readonly b: Float64Array;
  /** The products of the last `run`. */
  readonly out: Float64Array;
  /** Threads the last `run` used (1 when alone: one core, arrays not shared, or the worker did not start). */
  readonly threads: number;
  close(): void;
}

/**
 * A pool over fixed left-hand arrays (`as`, shared), with room for `bLength` right-hand values and `outLength`
 * products. With one core (or `threads` 1) it runs on the calling thread alone.
 */
export function rowProductsPool(
  as: readonly Float32Array[],
  bLength: number,
  outLength: number,
  threads = Math.min(2, availableParallelism()),
): RowProductsPool {
  const shared = threads > 1 && as.every((a) => a.buffer instanceof SharedArrayBuffer);
  const b = new Float64Array(shared ? new SharedArrayBuffer(bLength * 8) : new ArrayBuffer(bLength * 8));
  const out = new Float64Array(
    shared ? new SharedArrayBuffer(outLength * 8) : new ArrayBuffer(outLength * 8),
  );
  if (!shared)
    return {
      b,
      out,
      threads: 1,
      run: (aIndex, aRows, bRows, width) => rowProducts(as[aIndex], aRows, b, bRows, width, out),
      close: () => {},
    };
  const control = new Int32Array(new SharedArrayBuffer(9 * 4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { control: control.buffer, as: as.map((a) => a.buffer), b: b.buffer, out: out.buffer },
  });
  worker.unref();
  for (const a of as)
    if (a.byteOffset !== 0) throw new Error('rowProductsPool: left-hand arrays must start their buffer');
  let seq = 0;
  let alone = false;
  return {
    b,
    out,
    get threads() {
      return alone ? 1 : 2;
    },
    run(aIndex, aRows, bRows, width) {
      if (aRows * width > as[aIndex].length || bRows * width > b.length || aRows * bRows > out.length)
        throw new Error(`rowProductsPool: ${aRows} × ${bRows} products of width ${width} do not fit`);
      // A worker that never started (it would have set READY) leaves the work to this thread.
      if (!alone && seq === 0) alone = Atomics.wait(control, READY, 0, START_TIMEOUT_MS) === 'timed-out';
      if (alone) {
        rowProducts(as[aIndex], aRows, b, bRows, width, out);
        return;
      }
      // The worker's share starts at a multiple of 4 rows, so both halves run whole 4 × 4 blocks.
      const mine = Math.min(aRows, 4 * Math.ceil(aRows / 8));
      seq++;
      control[A_INDEX] = aIndex;
      control[A_START] = mine;
      control[A_ROWS] = aRows - mine;
      control[B_ROWS] = bRows;
      control[WIDTH] = width;
      Atomics.store(control, SEQ, seq);
      Atomics.notify(control, SEQ);
      rowProducts(as[aIndex], mine, b, bRows, width, out);
      while (Atomics.load(control, DONE) !== seq) Atomics.wait(control, DONE, seq - 1, 1000);
    },
    close() {
      control[STOP] = 1;
      Atomics.add(control, SEQ, 1);
      Atomics.notify(control, SEQ);
      void worker.terminate();
    },
  };
}
