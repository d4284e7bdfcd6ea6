/**
 * A worker image's filesystem built without Docker by its Dockerfile's steps (scripts/build-worker-artifact.sh,
 * which the Dockerfile's build stage runs), laid out and started as the image would be: the final stage's
 * `COPY --from=build /out/ ./` under an `app` folder owned by root, the ENV with `/app` mapped to that folder, the
 * numeric USER, and a home owned by that user (the image's writable places: /tmp and the home).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ImageSpec, parseDockerfile } from './dockerfile.js';

export type WorkerName = 'firm-worker' | 'theme-worker';

export const BUILD_SCRIPT = 'scripts/build-worker-artifact.sh';

export interface WorkerArtifact {
  worker: WorkerName;
  spec: ImageSpec;
  /** What the image's WORKDIR is here. */
  appDir: string;
  /** The image's ENV with its paths mapped here. */
  env: Record<string, string>;
  uid: number;
  home: string;
}

/** Both workers' images, a target each named for the worker (infra's stack builds the same file). */
export const WORKER_DOCKERFILE = 'worker.Dockerfile';

export function dockerfilePath(repoRoot: string): string {
  return join(repoRoot, WORKER_DOCKERFILE);
}

/**
 * The spec of the Dockerfile's `worker` target, checked for what the rehearsal reproduces: its build stage runs
 * the build script for this worker into /out, and the image copies only that /out/ into WORKDIR. Throws naming
 * the disagreement.
 */
export function imageSpecOf(repoRoot: string, worker: WorkerName): ImageSpec {
  const where = `${WORKER_DOCKERFILE} target ${worker}`;
  const spec = parseDockerfile(readFileSync(dockerfilePath(repoRoot), 'utf8'), where, worker);
  const builds = spec.buildRuns.filter((r) => r.includes(BUILD_SCRIPT));
  if (builds.length !== 1 || !new RegExp(`${BUILD_SCRIPT} ${worker} /out(\\s|$)`).test(builds[0]))
    throw new Error(`${where}: the build stage does not run \`${BUILD_SCRIPT} ${worker} /out\` (alone)`);
  const copies = spec.copies.map((c) => `${c.src.replace(/\/$/, '')} ${c.dest}`);
  if (copies.length !== 1 || copies[0] !== '/out ./')
    throw new Error(
      `${where}: the image must copy only \`--from=<build stage> /out/ ./\` (has ${copies.join('; ') || 'none'})`,
    );
  if (spec.workdir !== '/app') throw new Error(`${where}: WORKDIR ${spec.workdir}, expected /app`);
  return spec;
}

const builds = new Set<ChildProcess>();

/** Stops the artifact builds under way (the rehearsal interrupted). */
export function stopBuilds(): void {
  for (const b of builds) {
    try {
      if (b.pid) process.kill(-b.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

function run(cmd: string, args: string[], cwd: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group, so stopping it stops pnpm and node under it too.
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    builds.add(child);
    child.once('exit', () => builds.delete(child));
    let tail = '';
    const keep = (c: Buffer) => {
      tail = (tail + c.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) {
        log(tail.trim().split('\n').pop() ?? '');
        resolve();
      } else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${tail}`));
    });
  });
}

/** Builds `worker`'s artifact under `dir` (dir/app, dir/home); the caller removes `dir`. */
export async function buildWorkerArtifact(
  repoRoot: string,
  worker: WorkerName,
  dir: string,
  log: (line: string) => void = () => {},
): Promise<WorkerArtifact> {
  const spec = imageSpecOf(repoRoot, worker);
  const appDir = join(dir, 'app');
  mkdirSync(appDir, { recursive: true });
  // As in the image: root owns the app and everyone may read it (a temp dir is 0700 by default).
  chmodSync(dir, 0o755);
  await run('bash', [join(repoRoot, BUILD_SCRIPT), worker, appDir], repoRoot, log);
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  chownSync(home, spec.user, spec.user);
  const env = Object.fromEntries(
    Object.entries(spec.env).map(([k, v]) => [
      k,
      v === '/app' || v.startsWith('/app/') ? appDir + v.slice(4) : v,
    ]),
  );
  const bin = join(appDir, spec.cmd[1] ?? '');
  if (!existsSync(bin))
    throw new Error(`${worker}: the image's CMD names ${spec.cmd[1]}, not in the artifact`);
  return { worker, spec, appDir, env, uid: spec.user, home };
}

/**
 * How to start a process of the artifact as the image would: `command` (the task definition's, else the CMD)
 * in WORKDIR as USER, with the image's ENV, then `env` over it (the task definition's environment and the
 * emulator's settings). PATH reaches this machine's node, as the image's PATH reaches its own.
 */
export function artifactProcess(
  a: WorkerArtifact,
  env: Record<string, string>,
  command: string[] = a.spec.cmd,
): {
  cmd: string;
  args: string[];
  options: { cwd: string; uid: number; gid: number; env: NodeJS.ProcessEnv };
} {
  const nodeDir = process.execPath.replace(/\/[^/]+$/, '');
  return {
    cmd: command[0] === 'node' ? process.execPath : command[0],
    args: command.slice(1),
    options: {
      cwd: a.appDir,
      uid: a.uid,
      gid: a.uid,
      env: { PATH: `${nodeDir}:/usr/local/bin:/usr/bin:/bin`, HOME: a.home, ...a.env, ...env },
    },
  };
}
