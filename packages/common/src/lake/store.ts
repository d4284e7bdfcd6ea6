/**
 * Where lake objects live. Keys are `/`-separated paths relative to the lake root
 * (`sentences/quarter=2021Q2/batch-0007-part-0001.parquet`). A store replaces an object atomically:
 * a reader sees the old object or the new one, never a partial one.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { S3LakeStore } from './s3-store.js';

export interface LakeStore {
  /** The lake root as given (a folder, later `s3://bucket/prefix`). */
  readonly root: string;
  /** A path or URL DuckDB can read for a key or glob pattern. */
  url(key: string): string;
  /** Atomically places a local file at `key`; the local file may be moved. */
  putFile(key: string, localPath: string): Promise<void>;
  putText(key: string, text: string): Promise<void>;
  /** The object's text, or null when it does not exist. */
  getText(key: string): Promise<string | null>;
  /** Keys under a prefix (recursive), sorted. */
  list(prefix: string): Promise<string[]>;
  delete(keys: readonly string[]): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** A local scratch folder for files about to be put. */
  scratchDir(): Promise<string>;
  /** SQL a DuckDB connection runs before reading `url()`s (remote stores: extension, credentials). */
  duckdbSettings?(): string[];
}

export class LocalLakeStore implements LakeStore {
  readonly root: string;
  private readonly abs: string;

  constructor(root: string) {
    this.root = root;
    this.abs = resolve(root);
  }

  private path(key: string): string {
    const p = resolve(this.abs, key);
    if (p !== this.abs && !p.startsWith(this.abs + sep)) throw new Error(`lake key escapes the lake: ${key}`);
    return p;
  }

  url(key: string): string {
    return join(this.abs, key);
  }

  async scratchDir(): Promise<string> {
    const dir = join(this.abs, '_tmp');
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const dest = this.path(key);
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await rename(localPath, tmp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(localPath, tmp);
      await rm(localPath, { force: true });
    }
    await rename(tmp, dest);
  }

  async putText(key: string, text: string): Promise<void> {
    const dest = this.path(key);
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, text);
    await rename(tmp, dest);
  }

  async getText(key: string): Promise<string | null> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.path(prefix);
    const out: string[] = [];
    const walk = async (dir: string, rel: string) => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (
          (err as NodeJS.ErrnoException).code === 'ENOENT' ||
          (err as NodeJS.ErrnoException).code === 'ENOTDIR'
        )
          return;
        throw err;
      }
      for (const e of entries) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(join(dir, e.name), r);
        else if (!e.name.includes('.tmp-')) out.push(r);
      }
    };
    const prefixKey = prefix.replace(/\/+$/, '');
    await walk(base, prefixKey);
    return out.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((k) => rm(this.path(k), { force: true })));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.path(key));
      return true;
    } catch {
      return false;
    }
  }
}

/** Opens the store for a lake root. `s3://` roots are served by the S3 store once registered. */
export type StoreFactory = (root: string) => LakeStore;
const remoteFactories = new Map<string, StoreFactory>();

export function registerStore(scheme: string, factory: StoreFactory): void {
  remoteFactories.set(scheme, factory);
}

registerStore('s3', (root) => new S3LakeStore(root));

export function openStore(root: string): LakeStore {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(root);
  if (m) {
    const f = remoteFactories.get(m[1].toLowerCase());
    if (!f) throw new Error(`no lake store for ${m[1]}:// roots`);
    return f(root);
  }
  return new LocalLakeStore(root);
}

/** Writes text to a file path or an `s3://bucket/key` URL, atomically (one object or a renamed file). */
export async function putTextAt(target: string, text: string): Promise<void> {
  const cut = target.replace(/\/+$/, '').lastIndexOf('/');
  const [dir, name] = cut < 0 ? ['.', target] : [target.slice(0, cut) || '/', target.slice(cut + 1)];
  if (!name || /^[a-z][a-z0-9+.-]*:\/?$/i.test(dir))
    throw new Error(`not a file path or object URL: ${target}`);
  await openStore(dir).putText(name, text);
}
