/**
 * A local file to one S3 object by multipart upload that survives being stopped: run it again and it finds the
 * unfinished upload of the same key (ListMultipartUploads), keeps every part whose ETag equals the MD5 of the same
 * byte range of the file (ListParts), uploads only the rest and completes. An object already there with the same
 * sha256 (its `sha256` metadata) is left alone. @aws-sdk/lib-storage's Upload cannot resume, hence this.
 * Parts left behind by a run never resumed are expired by the bucket's abort-incomplete-multipart rule (1 day).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type Part,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

export const MIN_PART_BYTES = 5 * 1024 ** 2;
const MAX_PARTS = 10_000;

export interface ResumableUploadOptions {
  s3: S3Client;
  bucket: string;
  key: string;
  file: string;
  /** The file's sha256 (hex): stored as object metadata, and what makes a second run skip the object. */
  sha256: string;
  /** Bytes per part (≥ 5 MiB; grown when the file would need more than 10,000 parts). Default 64 MiB. */
  partBytes?: number;
  /** Parts in flight at once. Default 4. */
  concurrency?: number;
  metadata?: Record<string, string>;
  /** Called after each part; throwing from it stops the upload where it is (tests stop it half-way). */
  onPart?: (p: { partNumber: number; parts: number; bytes: number }) => void;
}

export interface UploadResult {
  /** `present`: the object was there with this sha256; `put`: one request; `multipart`: parts. */
  how: 'present' | 'put' | 'multipart';
  partsUploaded: number;
  /** Parts of an earlier, unfinished run that matched the file and were kept. */
  partsReused: number;
  bytesUploaded: number;
}

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

/** sha256 of a file, streamed (weights are many GB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 ** 2 })) hash.update(chunk);
  return hash.digest('hex');
}

export async function uploadResumable(o: ResumableUploadOptions): Promise<UploadResult> {
  const { s3, bucket, key } = o;
  const size = (await stat(o.file)).size;
  const metadata = { ...o.metadata, sha256: o.sha256 };
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    if (head.Metadata?.sha256 === o.sha256 && head.ContentLength === size)
      return { how: 'present', partsUploaded: 0, partsReused: 0, bytesUploaded: 0 };
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  let partBytes = Math.max(MIN_PART_BYTES, o.partBytes ?? 64 * 1024 ** 2);
  if (Math.ceil(size / partBytes) > MAX_PARTS) partBytes = Math.ceil(size / MAX_PARTS);
  const fh = await open(o.file, 'r');
  try {
    const read = async (offset: number, length: number) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    };
    if (size <= partBytes) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: await read(0, size), Metadata: metadata }),
      );
      return { how: 'put', partsUploaded: 0, partsReused: 0, bytesUploaded: size };
    }

    const parts = Math.ceil(size / partBytes);
    const range = (n: number) => [(n - 1) * partBytes, Math.min(partBytes, size - (n - 1) * partBytes)];
    const { uploadId, kept } = await resumeOrCreate(o, metadata, parts, range, read);
    const done = new Map<number, string>(kept);
    let uploaded = 0;
    let bytes = 0;
    const todo = Array.from({ length: parts }, (_, i) => i + 1).filter((n) => !done.has(n));
    const worker = async () => {
      for (let n = todo.shift(); n !== undefined; n = todo.shift()) {
        const [offset, length] = range(n);
        const body = await read(offset, length);
        const r = await s3.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: n,
            Body: body,
            ContentMD5: createHash('md5').update(body).digest('base64'),
          }),
        );
        done.set(n, r.ETag ?? '');
        uploaded++;
        bytes += length;
        o.onPart?.({ partNumber: n, parts, bytes: length });
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, todo.length) }, worker));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [...done.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([PartNumber, ETag]) => ({ PartNumber, ETag })),
        },
      }),
    );
    return { how: 'multipart', partsUploaded: uploaded, partsReused: kept.size, bytesUploaded: bytes };
  } finally {
    await fh.close();
  }
}

/**
 * The unfinished upload of this key whose parts match the file (same part size, same bytes), or a new one.
 * Uploads of the key that do not match (another file, another part size) are aborted.
 */
async function resumeOrCreate(
  o: ResumableUploadOptions,
  metadata: Record<string, string>,
  parts: number,
  range: (n: number) => number[],
  read: (offset: number, length: number) => Promise<Buffer>,
): Promise<{ uploadId: string; kept: Map<number, string> }> {
  const { s3, bucket, key } = o;
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  const mine = (uploads.Uploads ?? []).filter((u) => u.Key === key && u.UploadId);
  mine.sort((a, b) => (b.Initiated?.getTime() ?? 0) - (a.Initiated?.getTime() ?? 0));
  for (const [i, u] of mine.entries()) {
    const uploadId = u.UploadId as string;
    const listed: Part[] = [];
    let marker: string | undefined;
    do {
      const r = await s3.send(
        new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
      );
      listed.push(...(r.Parts ?? []));
      marker = r.IsTruncated ? r.NextPartNumberMarker : undefined;
    } while (marker);
    const kept = new Map<number, string>();
    let matches = listed.length > 0;
    for (const p of listed) {
      const n = p.PartNumber ?? 0;
      const [offset, length] = n >= 1 && n <= parts ? range(n) : [0, -1];
      if (length !== p.Size) {
        matches = false;
        break;
      }
      const md5 = createHash('md5')
        .update(await read(offset, length))
        .digest('hex');
      if ((p.ETag ?? '').replaceAll('"', '') !== md5) {
        matches = false;
        break;
      }
      kept.set(n, p.ETag as string);
    }
    if (matches) {
      // Only the newest matching upload is resumed; older ones would only cost storage.
      for (const older of mine.slice(i + 1))
        await s3.send(
          new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: older.UploadId }),
        );
      return { uploadId, kept };
    }
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  }
  const created = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, Metadata: metadata }),
  );
  return { uploadId: created.UploadId as string, kept: new Map() };
}
