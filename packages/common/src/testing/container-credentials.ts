/**
 * The ECS container-credentials endpoint, on 127.0.0.1: what a task's SDK (and DuckDB's aws extension) call
 * through `AWS_CONTAINER_CREDENTIALS_FULL_URI` + `AWS_CONTAINER_AUTHORIZATION_TOKEN` to get the task role's
 * temporary credentials. Processes given only these two variables use the credential chain as on ECS, with no
 * keys in their environment. A STAND-IN for tests and `pnpm rehearse`: the keys are whatever the emulator accepts.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ContainerCredentials {
  /** The variables a task gets (no keys). */
  env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: string; AWS_CONTAINER_AUTHORIZATION_TOKEN: string };
  /** Credential requests answered (a refused token is not counted). */
  served: number;
  close(): Promise<void>;
}

export async function startContainerCredentials(o: {
  accessKeyId: string;
  secretAccessKey: string;
  /** How long each answer's credentials are valid (the SDK refreshes before expiry). */
  validSeconds?: number;
}): Promise<ContainerCredentials> {
  const token = randomBytes(16).toString('hex');
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== token) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"message":"wrong authorization token"}');
      return;
    }
    creds.served++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        AccessKeyId: o.accessKeyId,
        SecretAccessKey: o.secretAccessKey,
        Token: `session-${randomBytes(8).toString('hex')}`,
        Expiration: new Date(Date.now() + (o.validSeconds ?? 3600) * 1000).toISOString(),
        RoleArn: 'arn:aws:iam::000000000000:role/callthemes-rehearsal-task',
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const creds: ContainerCredentials = {
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/v2/credentials/task`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
    },
    served: 0,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return creds;
}
