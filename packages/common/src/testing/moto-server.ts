/**
 * A moto server (SQS, DynamoDB, S3... as real HTTP APIs) on 127.0.0.1 for tests and `pnpm rehearse`, started from the repo's
 * `.venv-moto` (scripts/setup-moto.sh). One server per test file; `reset()` clears every service's state.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/common/{src,dist}/testing → the repository, where scripts/setup-moto.sh puts `.venv-moto`. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export const MOTO_SERVER_BIN = join(REPO_ROOT, '.venv-moto', 'bin', 'moto_server');
const MOTO_PYTHON = join(REPO_ROOT, '.venv-moto', 'bin', 'python');

/**
 * moto_server, but answering one request at a time. moto's threaded server does not make DynamoDB's
 * conditional writes atomic (two of 20 racing `attribute_not_exists` claims both won); real DynamoDB
 * serializes writes to an item, which a serial server reproduces. Not for SQS long polls, which would block it.
 */
const SERIAL_SERVER = `
import sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
app = DomainDispatcherApplication(create_backend_app)
run_simple(sys.argv[1], int(sys.argv[2]), app, threaded=False, request_handler=MotoRequestHandler)
`;

import { freePort } from './free-port.js';

/** What an AWS SDK v3 client needs to talk to a server on this machine (S3 clients add `forcePathStyle: true`). */
export interface AwsClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface MotoServer {
  endpoint: string;
  region: 'us-east-1';
  credentials: { accessKeyId: string; secretAccessKey: string };
  clientConfig: AwsClientConfig;
  /** Environment for child processes that should use this server. */
  env: NodeJS.ProcessEnv;
  /** Clears the state of every emulated service. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Why moto tests cannot run here, or null when they can (for `skipIf`). */
export function motoMissing(): string | null {
  return existsSync(MOTO_SERVER_BIN)
    ? null
    : `moto server not found at .venv-moto (run scripts/setup-moto.sh); SQS/DynamoDB adapter tests skipped`;
}

const live = new Set<ChildProcess>();
let exitHookSet = false;
/** A test run that dies without calling stop() still kills its servers. */
function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookSet) return;
  exitHookSet = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGTERM');
  });
}

export interface MotoOptions {
  /** One request at a time (DynamoDB atomicity; see SERIAL_SERVER). Default false. */
  serial?: boolean;
  timeoutMs?: number;
}

export async function startMotoServer(options: MotoOptions = {}): Promise<MotoServer> {
  const missing = motoMissing();
  if (missing) throw new Error(missing);
  // The free port is found and then bound by another process: another test file may take it in between.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort(), options);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test(String(err))) throw err;
    }
  }
}

async function launch(port: number, options: MotoOptions): Promise<MotoServer> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const [cmd, args] = options.serial
    ? [MOTO_PYTHON, ['-c', SERIAL_SERVER, '127.0.0.1', String(port)]]
    : [MOTO_SERVER_BIN, ['-H', '127.0.0.1', '-p', String(port)]];
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOTO_PORT: String(port) },
  });
  killOnExit(child);
  let out = '';
  const keep = (c: Buffer) => {
    // Only the tail matters for an error message; moto logs every request.
    out = (out + c.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const started = Date.now();
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  for (;;) {
    if (exited !== undefined) throw new Error(`moto_server exited with ${exited}: ${out}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      await res.arrayBuffer();
      // Ours answered, not another server that holds the port: our child is still running.
      if (res.ok && exited === undefined) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGTERM');
      throw new Error(`moto_server not ready on ${endpoint} after ${timeoutMs} ms: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  return {
    endpoint,
    region: 'us-east-1',
    credentials,
    clientConfig: { endpoint, region: 'us-east-1', credentials },
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}
