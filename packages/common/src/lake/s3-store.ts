/**
 * The lake on S3 (`s3://bucket/prefix`) through the AWS SDK v3. Every write is one PUT or one multipart
 * upload, and S3 makes each visible atomically: a reader sees the old object or the new one, never a partial
 * one, and reads after a write are strongly consistent. Nothing here lists a prefix to decide what to write;
 * `list` exists for readers and tools.
 *
 * The SDK is imported on first use so local runs do not pay for loading it.
 *
 * Settings (environment, as the SDK reads them): AWS_REGION, credentials from the default chain,
 * AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL for an S3-compatible server, AWS_REQUEST_CHECKSUM_CALCULATION;
 * CALLTHEMES_S3_FORCE_PATH_STYLE=true for servers without virtual-host buckets (the default with a custom
 * endpoint).
 */
import { createReadStream, rmdirSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { LakeStore } from './store.js';

/** Parts of a multipart upload; objects smaller than one part go up in a single PUT. */
export const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
/** DeleteObjects takes at most 1,000 keys per request. */
const DELETE_CHUNK = 1000;

export interface S3LakeStoreOptions {
  /** A ready client (tests, custom credentials); otherwise one is built from `clientConfig` and the env. */
  client?: S3Client;
  clientConfig?: S3ClientConfig;
  partSize?: number;
  /** Parts uploaded at once per object. */
  queueSize?: number;
}

export interface S3Location {
  bucket: string;
  prefix: string;
}

export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/i.exec(url);
  if (!m) throw new Error(`not an s3://bucket[/prefix] URL: ${url}`);
  return { bucket: m[1], prefix: (m[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** The endpoint of an S3-compatible server set in the environment, if any. */
export function endpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}

/**
 * An S3 client from the environment (region, credential chain, AWS_ENDPOINT_URL[_S3]); path-style addressing
 * with a custom endpoint unless CALLTHEMES_S3_FORCE_PATH_STYLE says otherwise. The SDK loads on first use.
 */
export async function s3ClientFromEnv(config: S3ClientConfig = {}): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  const endpoint = endpointFromEnv();
  const pathStyle = process.env.CALLTHEMES_S3_FORCE_PATH_STYLE;
  return new S3Client({
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: pathStyle ? pathStyle === 'true' || pathStyle === '1' : Boolean(endpoint),
    ...config,
  });
}

export class S3LakeStore implements LakeStore {
  readonly root: string;
  readonly bucket: string;
  readonly prefix: string;
  private clientPromise: Promise<S3Client> | undefined;
  private scratch: Promise<string> | undefined;

  constructor(
    root: string,
    private readonly options: S3LakeStoreOptions = {},
  ) {
    const loc = parseS3Url(root);
    this.bucket = loc.bucket;
    this.prefix = loc.prefix;
    this.root = `s3://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
  }

  /** The object key of a lake key; refuses keys that would leave the lake. */
  objectKey(key: string): string {
    if (key.split('/').some((s) => s === '..' || s === '.'))
      throw new Error(`lake key escapes the lake: ${key}`);
    const k = key.replace(/^\/+/, '');
    return this.prefix ? `${this.prefix}/${k}` : k;
  }

  url(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  private client(): Promise<S3Client> {
    this.clientPromise ??= this.options.client
      ? Promise.resolve(this.options.client)
      : s3ClientFromEnv(this.options.clientConfig);
    return this.clientPromise;
  }

  async scratchDir(): Promise<string> {
    this.scratch ??= (async () => {
      const dir = join(tmpdir(), `callthemes-s3-scratch-${process.pid}`);
      await mkdir(dir, { recursive: true });
      removeAtExitIfEmpty(dir);
      return dir;
    })();
    return this.scratch;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const client = await this.client();
    const { Upload } = await import('@aws-sdk/lib-storage');
    const upload = new Upload({
      client,
      params: {
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: createReadStream(localPath),
        ContentType: contentType(key),
      },
      partSize: this.options.partSize ?? DEFAULT_PART_SIZE,
      queueSize: this.options.queueSize ?? 4,
      // A failed multipart upload is aborted so no orphan parts are billed (the bucket also expires them).
      leavePartsOnError: false,
    });
    await upload.done();
    await rm(localPath, { force: true });
  }

  async putText(key: string, text: string): Promise<void> {
    const client = await this.client();
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: Buffer.from(text, 'utf8'),
        ContentType: contentType(key),
      }),
    );
  }

  async getText(key: string): Promise<string | null> {
    const client = await this.client();
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      const res = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return (await res.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (isNotFound(err)) return null;
      throw withLocation(err, `get ${this.url(key)}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const client = await this.client();
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const full = this.objectKey(prefix);
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) if (o.Key) out.push(o.Key.slice(strip));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const client = await this.client();
    const { DeleteObjectsCommand } = await import('@aws-sdk/client-s3');
    for (let i = 0; i < keys.length; i += DELETE_CHUNK) {
      const chunk = keys.slice(i, i + DELETE_CHUNK);
      const res = await client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: chunk.map((k) => ({ Key: this.objectKey(k) })), Quiet: true },
        }),
      );
      const failed = res.Errors ?? [];
      if (failed.length > 0)
        throw new Error(
          `could not delete ${failed.length} object(s) in ${this.root}, first ${failed[0].Key}: ${failed[0].Code} ${failed[0].Message ?? ''}`.trim(),
        );
    }
  }

  async exists(key: string): Promise<boolean> {
    const client = await this.client();
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      await client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw withLocation(err, `head ${this.url(key)}`);
    }
  }

  /**
   * SQL that lets DuckDB read this lake's `url()`s: httpfs (and aws for the credential chain) from PyPI's
   * pinned wheels (scripts/setup-duckdb-extensions.sh; the images bake them at build time), and an S3 secret
   * from the AWS credential chain, or the endpoint and keys of an S3-compatible server.
   */
  duckdbSettings(env: NodeJS.ProcessEnv = process.env): string[] {
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
    const endpoint = endpointFromEnv(env);
    const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const parts = [`TYPE s3`, `REGION ${q(region)}`, `SCOPE ${q(`s3://${this.bucket}`)}`];
    if (endpoint) {
      const u = new URL(endpoint);
      parts.push(`ENDPOINT ${q(u.host)}`, `URL_STYLE 'path'`, `USE_SSL ${u.protocol === 'https:'}`);
    }
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      parts.push(`KEY_ID ${q(env.AWS_ACCESS_KEY_ID)}`, `SECRET ${q(env.AWS_SECRET_ACCESS_KEY)}`);
      if (env.AWS_SESSION_TOKEN) parts.push(`SESSION_TOKEN ${q(env.AWS_SESSION_TOKEN)}`);
    } else {
      // ECS tasks get role credentials from the container credentials endpoint: the aws extension reads them,
      // and refreshes them when they expire (a theme worker outlives one set of task-role credentials).
      parts.push(`PROVIDER credential_chain`, `REFRESH auto`);
      return ['LOAD httpfs', 'LOAD aws', `CREATE OR REPLACE SECRET callthemes_lake (${parts.join(', ')})`];
    }
    return ['LOAD httpfs', `CREATE OR REPLACE SECRET callthemes_lake (${parts.join(', ')})`];
  }
}

function contentType(key: string): string {
  if (key.endsWith('.json')) return 'application/json';
  if (key.endsWith('.parquet')) return 'application/vnd.apache.parquet';
  return 'application/octet-stream';
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** Names the object in the error; the SDK's messages do not, and never carry credentials. */
function withLocation(err: unknown, what: string): Error {
  const e = err as Error;
  return new Error(`${what}: ${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`, { cause: err });
}

const removedAtExit = new Set<string>();

/** Uploaded files are removed one by one; their folder goes at exit when nothing is left in it (once per folder). */
function removeAtExitIfEmpty(dir: string): void {
  if (removedAtExit.has(dir)) return;
  removedAtExit.add(dir);
  process.once('exit', () => {
    try {
      rmdirSync(dir);
    } catch {
      // not empty (an upload failed and its file is kept for a look) or already gone
    }
  });
}
