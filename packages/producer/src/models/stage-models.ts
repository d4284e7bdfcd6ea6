/**
 * `stage-models`: one model's weights, pinned to a commit, into the bucket's `models/<name>/` prefix, which the
 * SageMaker model mounts at /opt/ml/model (infra: `modelSource=staged`; `serve` loads /opt/ml/model/<name>).
 * The files come from a downloaded snapshot (`from`) or from the Hub at the pinned revision; every file is
 * checked against a digest (the Hub's, or the one a Hugging Face cache names its blob by), uploaded resumably
 * with its sha256 as metadata, objects of an earlier revision under the prefix are removed, and the manifest
 * `models/<name>.staged.json` (revision, files, sizes, sha256) is written last — `doctor` reads it.
 * Run it again: present files are skipped, unfinished uploads resume.
 */
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { FLEET_NAMES } from '@callthemes/common/config';
import { sha256File, uploadResumable } from '../aws/resumable-upload.js';
import { COMMIT_RE, downloadHubFile, fileDigest, type HubOptions, listHubFiles } from './hub.js';

export interface StagedFile {
  path: string;
  size: number;
  sha256: string;
}

export interface StagedManifest {
  model: string;
  revision: string;
  /** `hub` (downloaded by this command) or `dir` (a snapshot given with --from). */
  source: 'hub' | 'dir';
  files: StagedFile[];
  bytes: number;
  stagedAt: string;
}

export interface StageOptions extends HubOptions {
  /** Hub id, e.g. Qwen/Qwen3-8B-FP8; its last part names the folder under models/. */
  model: string;
  /** A commit id; with `from`, may come from the snapshot itself. */
  revision?: string;
  /** A downloaded snapshot folder. */
  from?: string;
  /** Where Hub downloads go (and resume from). */
  workDir: string;
  s3: S3Client;
  bucket: string;
  /** Key prefix of staged models (default `models/`). */
  prefix?: string;
  partBytes?: number;
  log?: (line: string) => void;
  /** Passed to each upload (tests stop a run half-way). */
  onPart?: (p: { key: string; partNumber: number }) => void;
}

export interface StageResult {
  manifest: StagedManifest;
  manifestKey: string;
  uploadedFiles: number;
  presentFiles: number;
  bytesUploaded: number;
  partsReused: number;
  bytesDownloaded: number;
  removedKeys: string[];
}

/** Folder name of a model under models/ and /opt/ml/model (what `serve` looks for). */
export const modelFolder = (model: string) => model.split('/').pop() as string;
export const manifestKey = (model: string, prefix: string = FLEET_NAMES.models) =>
  `${prefix}${modelFolder(model)}.staged.json`;

/** Formats of the same weights vLLM does not read when safetensors are there, and other frameworks' files. */
const OTHER_FORMATS =
  /\.(h5|msgpack|onnx|ot|tflite|gguf|mlmodel|ckpt)$|(^|\/)(onnx|openvino|coreml|original)\//;
const TORCH_PICKLES = /\.(bin|pt|pth)$/;

/** The files worth staging: configs, tokenizer and weights in one format (safetensors when present). */
export function selectFiles<T extends { path: string }>(files: T[]): T[] {
  const keep = files.filter((f) => !OTHER_FORMATS.test(f.path) && !f.path.startsWith('.git'));
  const hasSafetensors = keep.some((f) => f.path.endsWith('.safetensors'));
  return keep.filter((f) => !(hasSafetensors && TORCH_PICKLES.test(f.path)));
}

interface LocalFile {
  path: string;
  abs: string;
  /** A digest the snapshot itself states (a cache blob's name, or huggingface_hub's download metadata). */
  expected?: { algorithm: 'sha256' | 'git-sha1'; hex: string };
}

/**
 * A snapshot folder's files and the revision it names: a Hugging Face cache snapshot
 * (`…/snapshots/<commit>/`, files symlinked to blobs named by their digest) or a `--local-dir` download
 * (`.cache/huggingface/download/<file>.metadata`: commit, etag).
 */
export async function readSnapshot(dir: string): Promise<{ files: LocalFile[]; revision?: string }> {
  const root = resolve(dir);
  const out: LocalFile[] = [];
  let revision = COMMIT_RE.test(basename(root)) ? basename(root) : undefined;
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const abs = join(d, e.name);
      const rel = relative(root, abs).split(sep).join('/');
      if (rel === '.cache' || rel.startsWith('.git')) continue;
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile() || e.isSymbolicLink()) {
        const f: LocalFile = { path: rel, abs };
        if (e.isSymbolicLink()) {
          const blob = basename(await readlink(abs));
          if (/^[0-9a-f]{64}$/.test(blob)) f.expected = { algorithm: 'sha256', hex: blob };
          else if (COMMIT_RE.test(blob)) f.expected = { algorithm: 'git-sha1', hex: blob };
          f.abs = await realpath(abs);
        }
        const meta = await readFile(
          join(root, '.cache', 'huggingface', 'download', `${rel}.metadata`),
          'utf8',
        ).catch(() => null);
        if (meta) {
          const [commit, etag] = meta.split('\n').map((l) => l.trim().replaceAll('"', ''));
          if (COMMIT_RE.test(commit ?? '')) revision ??= commit;
          if (/^[0-9a-f]{64}$/.test(etag ?? '')) f.expected ??= { algorithm: 'sha256', hex: etag };
          else if (COMMIT_RE.test(etag ?? '')) f.expected ??= { algorithm: 'git-sha1', hex: etag };
        }
        out.push(f);
      }
    }
  };
  await walk(root);
  return { files: out.sort((a, b) => a.path.localeCompare(b.path)), revision };
}

export async function stageModel(o: StageOptions): Promise<StageResult> {
  const log = o.log ?? (() => {});
  const prefix = o.prefix ?? FLEET_NAMES.models;
  const folder = modelFolder(o.model);
  if (!/^[\w.-]+\/[\w.-]+$/.test(o.model))
    throw new Error(`model ${o.model}: expected a Hub id like Qwen/Qwen3-8B-FP8`);

  let files: LocalFile[];
  let revision = o.revision;
  let bytesDownloaded = 0;
  if (o.from) {
    const snap = await readSnapshot(o.from);
    if (revision && snap.revision && revision !== snap.revision)
      throw new Error(`--revision ${revision} but the snapshot in ${o.from} is of commit ${snap.revision}`);
    revision ??= snap.revision;
    if (!revision || !COMMIT_RE.test(revision))
      throw new Error(
        `${o.from}: no commit id in the snapshot (a cache snapshot's folder or huggingface_hub's metadata); pass --revision <40-hex commit>`,
      );
    files = selectFiles(snap.files);
    for (const f of files) {
      if (!f.expected) continue;
      const actual = await fileDigest(f.abs, f.expected.algorithm);
      if (actual !== f.expected.hex)
        throw new Error(
          `${o.from}/${f.path}: ${f.expected.algorithm} ${actual} ≠ the snapshot's ${f.expected.hex}`,
        );
    }
    const checked = files.filter((f) => f.expected).length;
    log(
      `${o.model}@${revision.slice(0, 12)}: ${files.length} files from ${o.from} (${checked} checked against the snapshot's digests)`,
    );
  } else {
    if (!revision || !COMMIT_RE.test(revision))
      throw new Error(
        `--revision ${revision ?? '(none)'}: pin a 40-hex commit id of ${o.model} (its "Files and versions" history)`,
      );
    const listed = selectFiles(await listHubFiles(o.model, revision, o));
    if (listed.length === 0) throw new Error(`Hub: ${o.model} at ${revision} lists no files to stage`);
    const total = listed.reduce((n, f) => n + f.size, 0);
    log(`${o.model}@${revision.slice(0, 12)}: ${listed.length} files, ${gb(total)} from the Hub`);
    files = [];
    for (const f of listed) {
      const abs = join(o.workDir, folder, revision, ...f.path.split('/'));
      const n = await downloadHubFile(o.model, revision, f, abs, o);
      bytesDownloaded += n;
      if (n > 0) log(`  downloaded ${f.path} (${gb(n)}, checked)`);
      files.push({ path: f.path, abs });
    }
  }

  const staged: StagedFile[] = [];
  let uploadedFiles = 0;
  let presentFiles = 0;
  let bytesUploaded = 0;
  let partsReused = 0;
  for (const f of files) {
    const size = (await stat(f.abs)).size;
    const sha256 = f.expected?.algorithm === 'sha256' ? f.expected.hex : await sha256File(f.abs);
    const key = `${prefix}${folder}/${f.path}`;
    const r = await uploadResumable({
      s3: o.s3,
      bucket: o.bucket,
      key,
      file: f.abs,
      sha256,
      partBytes: o.partBytes,
      metadata: { revision: revision as string },
      onPart: (p) => o.onPart?.({ key, partNumber: p.partNumber }),
    });
    if (r.how === 'present') presentFiles++;
    else {
      uploadedFiles++;
      log(
        `  uploaded ${f.path} (${gb(r.bytesUploaded)}${r.partsReused ? `, ${r.partsReused} parts resumed` : ''})`,
      );
    }
    bytesUploaded += r.bytesUploaded;
    partsReused += r.partsReused;
    staged.push({ path: f.path, size, sha256 });
  }

  // What an earlier revision left under the folder would be copied to /opt/ml/model too: remove it.
  const wanted = new Set(staged.map((f) => `${prefix}${folder}/${f.path}`));
  const removedKeys: string[] = [];
  let token: string | undefined;
  do {
    const page = await o.s3.send(
      new ListObjectsV2Command({ Bucket: o.bucket, Prefix: `${prefix}${folder}/`, ContinuationToken: token }),
    );
    const stale = (page.Contents ?? []).map((c) => c.Key as string).filter((k) => !wanted.has(k));
    if (stale.length > 0) {
      await o.s3.send(
        new DeleteObjectsCommand({ Bucket: o.bucket, Delete: { Objects: stale.map((Key) => ({ Key })) } }),
      );
      removedKeys.push(...stale);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);

  const manifest: StagedManifest = {
    model: o.model,
    revision: revision as string,
    source: o.from ? 'dir' : 'hub',
    files: staged,
    bytes: staged.reduce((n, f) => n + f.size, 0),
    stagedAt: new Date().toISOString(),
  };
  const mKey = manifestKey(o.model, prefix);
  await o.s3.send(
    new PutObjectCommand({
      Bucket: o.bucket,
      Key: mKey,
      Body: `${JSON.stringify(manifest, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
  log(
    `${o.model}@${revision?.slice(0, 12)}: staged at s3://${o.bucket}/${prefix}${folder}/ — ${staged.length} files, ` +
      `${gb(manifest.bytes)} (${uploadedFiles} uploaded, ${presentFiles} already there${removedKeys.length ? `, ${removedKeys.length} stale removed` : ''})`,
  );
  return {
    manifest,
    manifestKey: mKey,
    uploadedFiles,
    presentFiles,
    bytesUploaded,
    partsReused,
    bytesDownloaded,
    removedKeys,
  };
}

/** The manifest of a staged model, or null when none was written. */
export async function readStagedManifest(
  s3: S3Client,
  bucket: string,
  model: string,
  prefix: string = FLEET_NAMES.models,
): Promise<StagedManifest | null> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifestKey(model, prefix) }));
    return JSON.parse((await r.Body?.transformToString('utf8')) ?? 'null') as StagedManifest;
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return null;
    throw err;
  }
}

const gb = (bytes: number) =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
