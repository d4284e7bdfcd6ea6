/**
 * A local S3-compatible server (s3rver) on 127.0.0.1 for tests, in a child process: it needs
 * `--openssl-legacy-provider` (its continuation tokens use DES, which OpenSSL 3 hides otherwise).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { S3Client } from '@aws-sdk/client-s3';
import { tempDir } from './paths.js';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  client: S3Client;
  /** A new client for this server (for a test that adds middleware). */
  newClient(): S3Client;
  /** Environment for child processes (CLI runs) that should use this server. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = 'lake'): Promise<LocalS3> {
  const dir = tempDir('callthemes-s3rver-');
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      bin,
      '-d',
      dir.path,
      '-a',
      '127.0.0.1',
      '-p',
      '0',
      '--silent',
      '--configure-bucket',
      bucket,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const port = await new Promise<number>((resolvePort, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on [^:]+:(\d+)/.exec(out);
      if (m) resolvePort(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${out}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const newClient = () =>
    new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
      // s3rver mangles streamed PUT bodies that carry the SDK's default trailing checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  const client = newClient();
  return {
    endpoint,
    bucket,
    client,
    newClient,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      CALLTHEMES_S3_FORCE_PATH_STYLE: 'true',
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      dir.cleanup();
    },
  };
}
