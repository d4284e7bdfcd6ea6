/**
 * A counting proxy in front of the emulator's S3: every S3 request of the fleet (SDK and DuckDB's httpfs) goes
 * through it, so the rehearsal can report PUT / GET / LIST / HEAD requests per quarter. It forwards bytes as they
 * are (signatures stay valid: the Host header is the proxy's, as the client signed it).
 */
import { createServer } from 'node:http';
import { forwardRequest, listenOnLoopback } from '@callthemes/common/testing';

export interface S3Counts {
  PUT: number;
  GET: number;
  LIST: number;
  HEAD: number;
  other: number;
}

export interface S3Counter {
  url: string;
  counts: S3Counts;
  close(): Promise<void>;
}

export function kindOf(method: string, url: string): keyof S3Counts {
  const u = new URL(url, 'http://x');
  if (
    method === 'PUT' ||
    (method === 'POST' && (u.searchParams.has('uploads') || u.searchParams.has('uploadId')))
  )
    return 'PUT';
  if (method === 'HEAD') return 'HEAD';
  if (method === 'GET') {
    // Path style: /bucket is a bucket (a listing), /bucket/key an object.
    const isBucket = u.pathname.replace(/^\/+|\/+$/g, '').split('/').length === 1;
    return u.searchParams.has('list-type') || isBucket ? 'LIST' : 'GET';
  }
  return 'other';
}

export async function startS3Counter(target: string): Promise<S3Counter> {
  const to = new URL(target);
  const counts: S3Counts = { PUT: 0, GET: 0, LIST: 0, HEAD: 0, other: 0 };
  const server = createServer((req, res) => {
    counts[kindOf(req.method ?? 'GET', req.url ?? '/')]++;
    forwardRequest(to, req, res);
  });
  return { ...(await listenOnLoopback(server)), counts };
}
