/**
 * The serving image's router (infra/serving/serve, Python standard library) as a plain process on 127.0.0.1,
 * in front of upstreams the caller started (CALLTHEMES_SERVE_UPSTREAMS=external: no vLLM is launched): the
 * real routing code of the inference image, for tests and `pnpm rehearse`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** packages/common/{src,dist}/testing → the repository (the router is not part of any package). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export const SERVE_BIN = join(REPO_ROOT, 'infra', 'serving', 'serve');

export interface ServingRouter {
  url: string;
  child: ChildProcess;
  close(): Promise<void>;
}

/** Upstream base URLs (no /v1) by kind. */
export async function startServingRouter(upstreams: {
  chat: string;
  embed: string;
  classify: string;
}): Promise<ServingRouter> {
  const child = spawn('python3', [SERVE_BIN], {
    env: {
      ...process.env,
      CALLTHEMES_SERVE_UPSTREAMS: 'external',
      CALLTHEMES_ROUTER_PORT: '0',
      CALLTHEMES_ROUTER_HOST: '127.0.0.1',
      CALLTHEMES_UPSTREAM_CHAT: upstreams.chat,
      CALLTHEMES_UPSTREAM_EMBED: upstreams.embed,
      CALLTHEMES_UPSTREAM_CLASSIFY: upstreams.classify,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr.slice(0, 500)}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /router listening on [^:]+:(\d+)/.exec(line);
      if (m) resolve(Number(m[1]));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
