/**
 * Where a file source's input lives: a local folder, or an `s3://bucket/prefix` read through the SDK (listed
 * with ListObjectsV2, each object streamed with GetObject) — so `enqueue --input s3://…` names files every task
 * can open. Paths are `/`-separated and relative to the input's root.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3Url, s3ClientFromEnv } from '../lake/s3-store.js';

export interface InputFiles {
  /** The input as given (a folder or an s3:// URL). */
  readonly root: string;
  /** Every file under the root, relative to it, sorted. */
  list(): Promise<string[]>;
  /** A file's bytes; throws an error with `code` ENOENT when it does not exist. */
  read(path: string): Promise<Uint8Array>;
  /** A file's bytes as a stream (large JSON-lines inputs). */
  stream(path: string): Promise<Readable>;
  /** Whether the root itself is one file (a `.jsonl` input), and its name. */
  single(): Promise<string | null>;
}

export const isS3Input = (input: string): boolean => /^s3:\/\//i.test(input);

export function openInputFiles(input: string, o: { client?: S3Client } = {}): InputFiles {
  return isS3Input(input) ? new S3InputFiles(input, o.client) : new FolderInputFiles(input);
}

class FolderInputFiles implements InputFiles {
  constructor(readonly root: string) {}

  async list(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        if (entry.isDirectory()) await walk(p);
        else if (entry.isFile()) out.push(relative(this.root, p).split(sep).join('/'));
      }
    };
    await walk(this.root);
    return out.sort();
  }

  read(path: string): Promise<Uint8Array> {
    return readFile(join(this.root, path));
  }

  async stream(path: string): Promise<Readable> {
    return createReadStream(join(this.root, path));
  }

  async single(): Promise<string | null> {
    return (await stat(this.root)).isFile() ? (this.root.split(/[\\/]/).pop() ?? this.root) : null;
  }
}

class S3InputFiles implements InputFiles {
  private readonly bucket: string;
  private readonly prefix: string;
  private clientPromise: Promise<S3Client> | undefined;

  constructor(
    readonly root: string,
    client?: S3Client,
  ) {
    const loc = parseS3Url(root);
    this.bucket = loc.bucket;
    this.prefix = loc.prefix;
    if (client) this.clientPromise = Promise.resolve(client);
  }

  private client(): Promise<S3Client> {
    this.clientPromise ??= s3ClientFromEnv();
    return this.clientPromise;
  }

  private key(path: string): string {
    if (path === '') return this.prefix;
    if (path.split('/').some((s) => s === '..' || s === '.'))
      throw new Error(`input path escapes ${this.root}: ${path}`);
    return this.prefix ? `${this.prefix}/${path}` : path;
  }

  async list(): Promise<string[]> {
    const client = await this.client();
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const base = this.prefix ? `${this.prefix}/` : '';
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? [])
        if (o.Key && !o.Key.endsWith('/')) out.push(o.Key.slice(base.length));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  async stream(path: string): Promise<Readable> {
    const client = await this.client();
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      const res = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return res.Body as Readable;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)
        throw Object.assign(new Error(`no object s3://${this.bucket}/${this.key(path)}`), { code: 'ENOENT' });
      throw new Error(`get s3://${this.bucket}/${this.key(path)}: ${e.name ?? 'Error'}`, { cause: err });
    }
  }

  async read(path: string): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const c of await this.stream(path)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** An s3:// input naming one `.jsonl` object is that file; any other URL is a prefix. */
  async single(): Promise<string | null> {
    return /\.jsonl$/i.test(this.prefix) ? (this.prefix.split('/').pop() ?? null) : null;
  }
}
