/**
 * Lineage's matches beside the clustering: a current topic's best earlier match needs only the topics (the mean
 * lineage centres on is known once the quarter is read), not the themes, so a worker thread streams the earlier
 * quarter and matches every current topic while this thread clusters; the links then keep the themed topics'
 * matches. At 125k topics × 4096-d that is ~18 s of decoding and products off the stage's critical path.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LakeStore } from '@callthemes/common/lake';
import type { LineageOptions, LineageTheme, TopicMatches } from '@callthemes/common/themes';
import { memberThemes } from '@callthemes/common/themes';
import type { EarlierMatchingJob } from './lineage-worker.js';
import { readEarlierThemes, type TopicReadResult, topicFiles } from './theme-io.js';

export interface EarlierMatching {
  /** The earlier quarter's themes (as `readLineageSide` gives them). */
  themes: LineageTheme[];
  /** Every current topic's match, by its row in the read's `topics`. */
  matches: Promise<TopicMatches>;
  /**
   * Starts the worker (once; the stage calls it when the PCA's two threads are done, so the worker does not
   * compete with them).
   */
  start(): void;
  /** Seconds from the start to the matches (set when they arrive). */
  seconds?: number;
  stop(): Promise<void>;
}

/**
 * The worker module: the compiled .js, or, when this module runs from TypeScript source (tests,
 * `CALLTHEMES_FROM_SOURCE`), the .ts through register-source (tsx and the source condition) as the worker's
 * `--import` (registering those hooks inside a running worker deadlocked its imports).
 */
function workerModule(): { url: URL; execArgv?: string[] } {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./lineage-worker.js', import.meta.url) };
  const register = createRequire(import.meta.url).resolve('@callthemes/common/register-source');
  return {
    url: new URL('./lineage-worker.ts', import.meta.url),
    execArgv: ['--import', pathToFileURL(register).href],
  };
}

/**
 * Starts matching the read quarter's topics to `quarter`'s in a worker thread, or returns null where the
 * sequential path (`readLineageSide` + `linkThemesStreamed`, after the themes) must run: no earlier themes or
 * topics, no current topics, or widths that differ (that path reports it).
 */
export async function startEarlierMatching(
  store: LakeStore,
  quarter: string,
  read: TopicReadResult,
  options: LineageOptions = {},
): Promise<EarlierMatching | null> {
  const { rows, cols, data } = read.centroids;
  const earlier = await readEarlierThemes(store, quarter);
  if (earlier.themes.length === 0 || rows === 0 || earlier.themes[0].centroid.length !== cols) return null;
  if (!(data.buffer instanceof SharedArrayBuffer) || data.byteOffset !== 0) return null;
  const files = await topicFiles(store, quarter);
  if (files.urls.length === 0) return null;
  const job: EarlierMatchingJob = {
    earlier: files,
    earlierWidth: cols,
    ...(earlier.unitSum ? { unitSum: earlier.unitSum } : {}),
    memberTheme: memberThemes(earlier.themes),
    centroids: data.buffer,
    rows,
    dim: cols,
    firms: read.topics.map((t) => t.firmId),
    options,
  };
  const { url, execArgv } = workerModule();
  let settle: { resolve(m: TopicMatches): void; reject(e: unknown): void } | undefined;
  let worker: Worker | undefined;
  const out: EarlierMatching = {
    themes: earlier.themes,
    matches: new Promise<TopicMatches>((resolve, reject) => {
      settle = { resolve, reject };
    }),
    start() {
      if (worker || !settle) return;
      const { resolve, reject } = settle;
      const started = performance.now();
      worker = new Worker(url, { workerData: job, ...(execArgv ? { execArgv } : {}) });
      worker.once('message', (m: TopicMatches) => {
        out.seconds = (performance.now() - started) / 1000;
        resolve(m);
      });
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`lineage worker for ${quarter} exited (code ${code}) before its matches`)),
      );
    },
    stop: async () => {
      await worker?.terminate();
    },
  };
  // Awaited after the clustering; a failure meanwhile must not count as unhandled.
  out.matches.catch(() => {});
  return out;
}
