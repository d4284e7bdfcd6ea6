/**
 * A **stand-in** for the Hugging Face Hub's download API on 127.0.0.1 (there is no Hub here): a folder served as a
 * model repository at one commit, as `huggingface_hub` sees it —
 * `GET /api/models/<repo>/tree/<commit>?recursive=true` (entries `{type, path, size, oid}` with `lfs: {oid, size}`
 * for large files, paged with `Link: <…>; rel="next"`) and `GET /<repo>/resolve/<commit>/<path>` (`X-Repo-Commit`,
 * LFS files redirected 302 to a CDN path answering `Range` with 206). Faults on demand: the connection dropped
 * half-way through a file once, wrong bytes for a file, a required token.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join, relative, sep } from 'node:path';
import { listenOnLoopback } from '@callthemes/common/testing';

export interface HubRepo {
  repo: string;
  commit: string;
  dir: string;
}

export interface HubStandInOptions {
  /** Files of at least this size are LFS files (sha256 digest, CDN redirect). Default 1 MB. */
  lfsFromBytes?: number;
  /** Tree entries per page. Default 2 (so paging is exercised). */
  pageSize?: number;
  /** Drop the connection after half of this file's bytes, on its first download only. */
  dropOnce?: string;
  /** Serve this file with one byte flipped. */
  corrupt?: string;
  /** Answer 401 unless `Authorization: Bearer <token>`. */
  token?: string;
}

export interface HubStandIn {
  url: string;
  /** Every request: method, path and its Range header. */
  requests: { path: string; range?: string }[];
  stop(): Promise<void>;
}

interface Entry {
  path: string;
  bytes: Buffer;
  sha256: string;
  gitSha1: string;
  lfs: boolean;
}

function entriesOf(dir: string, lfsFrom: number): Entry[] {
  const out: Entry[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else {
        const bytes = readFileSync(abs);
        out.push({
          path: relative(dir, abs).split(sep).join('/'),
          bytes,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          gitSha1: createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex'),
          lfs: bytes.length >= lfsFrom,
        });
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export async function startHubStandIn(repos: HubRepo[], o: HubStandInOptions = {}): Promise<HubStandIn> {
  const lfsFrom = o.lfsFromBytes ?? 1024 * 1024;
  const pageSize = o.pageSize ?? 2;
  const byRepo = new Map(repos.map((r) => [r.repo, { ...r, entries: entriesOf(r.dir, lfsFrom) }]));
  const bySha = new Map<string, Entry>();
  for (const r of byRepo.values()) for (const e of r.entries) bySha.set(e.sha256, e);
  const requests: HubStandIn['requests'] = [];
  const dropped = new Set<string>();

  const send = (res: ServerResponse, req: IncomingMessage, e: Entry, headers: Record<string, string>) => {
    let body = e.bytes;
    if (o.corrupt === e.path) {
      body = Buffer.from(body);
      body[0] ^= 0xff;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const slice = body.subarray(start);
    res.writeHead(m ? 206 : 200, {
      ...headers,
      'content-length': String(slice.length),
      'accept-ranges': 'bytes',
      ...(m ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (o.dropOnce === e.path && !dropped.has(e.path)) {
      dropped.add(e.path);
      res.write(slice.subarray(0, Math.floor(slice.length / 2)), () => res.destroy());
      return;
    }
    res.end(slice);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: url.pathname, range: req.headers.range });
    if (o.token && req.headers.authorization !== `Bearer ${o.token}` && !url.pathname.startsWith('/cdn/')) {
      res.writeHead(401).end('{"error":"Invalid credentials"}');
      return;
    }
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(url.pathname);
    if (tree) {
      const r = byRepo.get(tree[1]);
      if (!r || r.commit !== decodeURIComponent(tree[2])) {
        res.writeHead(404).end('{"error":"Revision Not Found"}');
        return;
      }
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const page = r.entries.slice(cursor, cursor + pageSize).map((e) => ({
        type: 'file',
        path: e.path,
        size: e.bytes.length,
        oid: e.gitSha1,
        ...(e.lfs ? { lfs: { oid: e.sha256, size: e.bytes.length, pointerSize: 134 } } : {}),
      }));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (cursor + pageSize < r.entries.length)
        headers.link = `<${url.pathname}?recursive=true&cursor=${cursor + pageSize}>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify(page));
      return;
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) {
      const r = byRepo.get(resolve[1]);
      const path = decodeURIComponent(resolve[3]);
      const e =
        r && r.commit === decodeURIComponent(resolve[2]) ? r.entries.find((x) => x.path === path) : undefined;
      if (!r || !e) {
        res.writeHead(404).end('Entry not found');
        return;
      }
      const headers = { 'x-repo-commit': r.commit, etag: `"${e.lfs ? e.sha256 : e.gitSha1}"` };
      if (e.lfs) {
        res
          .writeHead(302, { ...headers, 'x-linked-etag': `"${e.sha256}"`, location: `/cdn/${e.sha256}` })
          .end();
        return;
      }
      send(res, req, e, headers);
      return;
    }
    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    const e = cdn ? bySha.get(cdn[1]) : undefined;
    if (e) {
      send(res, req, e, {});
      return;
    }
    res.writeHead(404).end();
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, requests, stop: close };
}
