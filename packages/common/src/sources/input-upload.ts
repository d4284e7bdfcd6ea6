/**
 * Puts a local input (a folder of transcripts, or one `.jsonl` file) under an `s3://` prefix, so an AWS fleet's
 * tasks can open what the plan names. One listing of the prefix, then a PUT per file whose MD5 differs from the
 * object's ETag (a re-run uploads only what changed). Keys keep the folder's relative paths.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3Url, s3ClientFromEnv } from '../lake/s3-store.js';

export interface InputUpload {
  /** The input as the workers will read it. */
  url: string;
  uploaded: number;
  unchanged: number;
  bytes: number;
}

async function localFiles(input: string): Promise<{ root: string; files: string[] }> {
  if ((await stat(input)).isFile()) return { root: input, files: [''] };
  const files: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) files.push(relative(input, p).split(sep).join('/'));
    }
  };
  await walk(input);
  return { root: input, files: files.sort() };
}

/** The prefix a local input goes to: `<base>/<folder or file name>`. */
export function inputTarget(input: string, base: string): string {
  const name = basename(input.replace(/[\\/]+$/, ''));
  return `${base.replace(/\/+$/, '')}/${name}`;
}

export async function uploadInput(
  input: string,
  target: string,
  o: { client?: S3Client; log?: (line: string) => void } = {},
): Promise<InputUpload> {
  const { bucket, prefix } = parseS3Url(target);
  const { root, files } = await localFiles(input);
  const single = files.length === 1 && files[0] === '';
  const client = o.client ?? (await s3ClientFromEnv());
  const { ListObjectsV2Command, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const existing = new Map<string, string>();
  let token: string | undefined;
  do {
    const res = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: single ? prefix : `${prefix}/`,
        ContinuationToken: token,
      }),
    );
    for (const obj of res.Contents ?? [])
      if (obj.Key && obj.ETag) existing.set(obj.Key, obj.ETag.replace(/"/g, ''));
    token = res.IsTruncated ? res.NextContinuationToken : undefined;
  } while (token);
  const out: InputUpload = { url: `s3://${bucket}/${prefix}`, uploaded: 0, unchanged: 0, bytes: 0 };
  for (const rel of files) {
    const body = await readFile(single ? root : join(root, rel));
    const key = single ? prefix : `${prefix}/${rel}`;
    if (existing.get(key) === createHash('md5').update(body).digest('hex')) {
      out.unchanged++;
      continue;
    }
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    out.uploaded++;
    out.bytes += body.byteLength;
    if (out.uploaded % 100 === 0) o.log?.(`uploading ${input}: ${out.uploaded} of ${files.length} files`);
  }
  if (!o.client) client.destroy();
  return out;
}
