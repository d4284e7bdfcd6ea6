/**
 * The few Hugging Face Hub calls staging needs, over plain HTTP: the file list of a repository at one commit
 * (`GET <hub>/api/models/<repo>/tree/<revision>?recursive=true`, paged by `Link: …; rel="next"`) and each file's
 * bytes (`GET <hub>/<repo>/resolve/<revision>/<path>`, which redirects large files to a CDN). A download resumes
 * with `Range` from what an earlier run left in `<file>.part`, and is checked against the Hub's own digest: the
 * sha256 of an LFS file, the git blob sha1 of any other. `HF_TOKEN` (environment only) authorizes gated repos.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const DEFAULT_HUB_URL = 'https://huggingface.co';
/** A pinned revision is a full commit id: a branch or tag could move under a staged copy. */
export const COMMIT_RE = /^[0-9a-f]{40}$/;

export interface HubFile {
  path: string;
  size: number;
  /** sha256 of the content (LFS files). */
  sha256?: string;
  /** git blob sha1 (every file; the checksum of non-LFS files). */
  gitSha1: string;
}

export interface HubOptions {
  hubUrl?: string;
  token?: string;
}

const headers = (o: HubOptions, extra: Record<string, string> = {}) =>
  o.token ? { ...extra, authorization: `Bearer ${o.token}` } : extra;

async function hubError(res: Response, what: string): Promise<Error> {
  const hint =
    res.status === 401 || res.status === 403
      ? ' (a gated or private repository: set HF_TOKEN)'
      : res.status === 404
        ? ' (check the model id and that the revision is a commit of it)'
        : '';
  return new Error(`Hub: ${what}: HTTP ${res.status}${hint}`);
}

/** Every file of `repo` at `revision`. */
export async function listHubFiles(repo: string, revision: string, o: HubOptions = {}): Promise<HubFile[]> {
  const hub = (o.hubUrl ?? DEFAULT_HUB_URL).replace(/\/$/, '');
  let url: string | null = `${hub}/api/models/${repo}/tree/${encodeURIComponent(revision)}?recursive=true`;
  const files: HubFile[] = [];
  while (url) {
    const res: Response = await fetch(url, { headers: headers(o) });
    if (!res.ok) throw await hubError(res, `listing ${repo} at ${revision}`);
    const entries = (await res.json()) as {
      type: string;
      path: string;
      size: number;
      oid: string;
      lfs?: { oid: string; size: number };
    }[];
    for (const e of entries)
      if (e.type === 'file')
        files.push({ path: e.path, size: e.lfs?.size ?? e.size, sha256: e.lfs?.oid, gitSha1: e.oid });
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
    url = next ? new URL(next[1], url).toString() : null;
  }
  return files;
}

/** The digest the Hub states for a file, and the same digest of local bytes. */
export function expectedDigest(f: Pick<HubFile, 'sha256' | 'gitSha1'>): {
  algorithm: 'sha256' | 'git-sha1';
  hex: string;
} {
  return f.sha256 ? { algorithm: 'sha256', hex: f.sha256 } : { algorithm: 'git-sha1', hex: f.gitSha1 };
}

export async function fileDigest(path: string, algorithm: 'sha256' | 'git-sha1'): Promise<string> {
  const hash = createHash(algorithm === 'sha256' ? 'sha256' : 'sha1');
  if (algorithm === 'git-sha1') hash.update(`blob ${(await stat(path)).size}\0`);
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 ** 2 })) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * Downloads one file to `dest` (resuming `dest.part`), verifies it, and renames it into place. A file already
 * at `dest` with the right digest is kept. Returns the bytes fetched now.
 */
export async function downloadHubFile(
  repo: string,
  revision: string,
  file: HubFile,
  dest: string,
  o: HubOptions = {},
): Promise<number> {
  const digest = expectedDigest(file);
  const sizeOf = async (p: string) => (await stat(p).catch(() => null))?.size ?? -1;
  if ((await sizeOf(dest)) === file.size && (await fileDigest(dest, digest.algorithm)) === digest.hex)
    return 0;
  await mkdir(dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let have = Math.max(0, await sizeOf(part));
  if (have > file.size) {
    await rm(part);
    have = 0;
  }
  let fetched = 0;
  if (have < file.size) {
    const hub = (o.hubUrl ?? DEFAULT_HUB_URL).replace(/\/$/, '');
    const url = `${hub}/${repo}/resolve/${encodeURIComponent(revision)}/${file.path.split('/').map(encodeURIComponent).join('/')}`;
    const res = await fetch(url, { headers: headers(o, have > 0 ? { range: `bytes=${have}-` } : {}) });
    if (!res.ok || !res.body) throw await hubError(res, `downloading ${repo}/${file.path}`);
    // A server that ignores Range answers 200 with the whole file: start the part over.
    const append = have > 0 && res.status === 206;
    if (!append) have = 0;
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (c: Buffer) => {
      fetched += c.length;
    });
    await pipeline(body, createWriteStream(part, { flags: append ? 'a' : 'w' }));
  }
  const got = await sizeOf(part);
  if (got !== file.size)
    throw new Error(`Hub: ${repo}/${file.path}: ${got} bytes of ${file.size}; run again to resume`);
  const actual = await fileDigest(part, digest.algorithm);
  if (actual !== digest.hex) {
    await rm(part);
    throw new Error(
      `Hub: ${repo}/${file.path} at ${revision}: ${digest.algorithm} ${actual} ≠ the Hub's ${digest.hex}; the download was discarded`,
    );
  }
  await rename(part, dest);
  return fetched;
}
