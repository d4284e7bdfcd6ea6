/**
 * The lineage worker thread: matches the current quarter's topics (read from shared memory, not copied) to the
 * earlier quarter's, streamed by its own DuckDB, and posts the matches back (`matchEarlierTopics`). Started by
 * `startEarlierMatching`, it runs beside the theme model's clustering, which does not need it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDuckDBFor } from '@callthemes/common/lake';
import { type LineageOptions, matchEarlierTopics, type UnitSum } from '@callthemes/common/themes';
import { scanTopicFiles, streamTopics, type TopicFiles } from './theme-io.js';

/** What the worker is given (structured-cloned; `centroids` is shared). */
export interface EarlierMatchingJob {
  earlier: TopicFiles;
  /** The earlier themes' width: their topics of another length are not theirs to match. */
  earlierWidth: number;
  unitSum?: UnitSum;
  /** Earlier topic id → index of its theme. */
  memberTheme: Map<string, number>;
  /** The current topics' centroids: rows × dim float32 in a SharedArrayBuffer, in topic-id order. */
  centroids: SharedArrayBuffer;
  rows: number;
  dim: number;
  firms: string[];
  options: LineageOptions;
}

const job = workerData as EarlierMatchingJob;
const data = new Float32Array(job.centroids, 0, job.rows * job.dim);
const current = job.firms.map((firmId, i) => ({
  firmId,
  centroid: data.subarray(i * job.dim, (i + 1) * job.dim),
}));
const conn = await openDuckDBFor({ root: job.earlier.root, duckdbSettings: () => job.earlier.settings });
try {
  // One decoding thread: the stage's own thread clusters meanwhile (and fewer chunks are in flight).
  await conn.run('SET threads = 1');
  const scan = await scanTopicFiles(conn, job.earlier.urls, false);
  const earlier = {
    forEachTopic: streamTopics(scan, job.earlierWidth),
    ...(job.unitSum ? { unitSum: job.unitSum } : {}),
  };
  const matches = await matchEarlierTopics(earlier, job.memberTheme, current, current, job.options);
  parentPort?.postMessage(matches);
} finally {
  conn.closeSync();
}
