import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, createConnection, createServer, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, test } from 'vitest';
import { CapiqSource, resolveCapiqSettings } from '../../../src/sources/capiq/index.js';
import { CapiqFixture, READER, superuserClient } from '../../helpers/capiq-fixture.js';
import { addTraps, TRAP } from '../../helpers/capiq-scenario.js';
import { freePort } from '../../helpers/free-port.js';
import { tempDir } from '../../helpers/paths.js';
import { needsPostgres, type PgCluster, startPostgres } from '../../helpers/postgres.js';

const PG_VARS = ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGSSLMODE', 'PGPASSFILE'];

/** A fake of AWS Secrets Manager's GetSecretValue (AWS itself cannot run here), on 127.0.0.1. */
class FakeSecretsManager {
  readonly requests: { target: string; secretId: string; signed: boolean }[] = [];
  private server: Server | null = null;
  constructor(private readonly secrets: Record<string, string>) {}

  async start(): Promise<string> {
    this.server = createHttpServer(async (req: IncomingMessage, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const target = String(req.headers['x-amz-target'] ?? '');
      const secretId = (JSON.parse(body || '{}') as { SecretId?: string }).SecretId ?? '';
      this.requests.push({
        target,
        secretId,
        signed: /^AWS4-HMAC-SHA256 /.test(String(req.headers.authorization)),
      });
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      const value = this.secrets[secretId];
      if (target !== 'secretsmanager.GetSecretValue' || value === undefined) {
        res.statusCode = 400;
        res.end(
          JSON.stringify({
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          }),
        );
        return;
      }
      res.end(
        JSON.stringify({
          ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${secretId}`,
          Name: secretId,
          SecretString: value,
          VersionId: 'v1',
          CreatedDate: 1_700_000_000,
        }),
      );
    });
    const server = this.server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  stop(): Promise<unknown> {
    return new Promise((r) => (this.server ? this.server.close(r) : r(null)));
  }
}

describe('capiq connections to a real local PostgreSQL', { skip: needsPostgres().skip }, () => {
  let cluster: PgCluster;
  let su: pg.Client;
  const saved: Record<string, string | undefined> = {};
  const open: CapiqSource[] = [];
  const dir = tempDir('callthemes-capiq-conn-');
  let logs: string[] = [];

  const source = (o: Record<string, unknown>) => {
    const s = new CapiqSource(resolveCapiqSettings(o), (l) => logs.push(l));
    open.push(s);
    return s;
  };
  const assertNoSecret = (text: string, secret: string) =>
    assert.ok(
      !text.includes(secret) && !text.includes(encodeURIComponent(secret)),
      `secret leaked in: ${text}`,
    );

  beforeAll(async () => {
    for (const v of PG_VARS) {
      saved[v] = process.env[v];
      delete process.env[v];
    }
    process.env.PGPASSFILE = join(dir.path, 'no-pgpass');
    cluster = await startPostgres();
    const fx = new CapiqFixture();
    addTraps(fx);
    su = await superuserClient(cluster);
    await fx.load(su);
  });

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    logs = [];
    for (const v of PG_VARS) delete process.env[v];
    process.env.PGPASSFILE = join(dir.path, 'no-pgpass');
  });

  afterAll(async () => {
    await su?.end();
    cluster?.stop();
    dir.cleanup();
    for (const v of PG_VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
  });

  const url = (user: string, password?: string, port = cluster.port, query = '') =>
    `postgresql://${user}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@127.0.0.1:${port}/postgres${query}`;

  test('the libpq variables alone connect (sslmode prefer falls back to plain text here)', async () => {
    Object.assign(process.env, {
      PGHOST: '127.0.0.1',
      PGPORT: String(cluster.port),
      PGDATABASE: 'postgres',
      PGUSER: READER.user,
      PGPASSWORD: READER.password,
    });
    const listing = await source({}).listFirms('2021Q2');
    assert.ok(listing.firms.some((f) => f.firmId === String(TRAP.elan)));
  });

  test('a wrong password fails at once (no retry) with a clear error that does not contain it', async () => {
    const wrong = 'Wr0ng:P@ss/word';
    const s = source({ pgUrl: url(READER.user, wrong), capiqRetryBaseMs: 1 });
    await assert.rejects(s.listFirms('2021Q2'), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(
          `^cannot connect to PostgreSQL at capiq_reader@127\\.0\\.0\\.1:${cluster.port}/postgres \\(sslmode=prefer\\): .*password authentication failed for user "capiq_reader" \\(password from url\\)$`,
        ),
      );
      assertNoSecret(err.message, wrong);
      assertNoSecret(String(err.stack), wrong);
      return true;
    });
    assert.deepEqual(logs, []);
  });

  test('a refused connection is retried with backoff, then fails without the password', async () => {
    const password = 'N0t-in-logs-xyz';
    const port = await freePort();
    const s = source({
      pgUrl: url(READER.user, password, port),
      capiqConnectRetries: 2,
      capiqRetryBaseMs: 5,
    });
    await assert.rejects(s.listFirms('2021Q2'), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(`127\\.0\\.0\\.1:${port}/postgres .* after 3 attempts: .*ECONNREFUSED`),
      );
      assertNoSecret(err.message, password);
      return true;
    });
    assert.equal(logs.length, 2);
    assert.match(logs[0], /failed \(.*ECONNREFUSED.*\); retry 1\/2 in \d+\.\d s$/);
    assert.match(logs[1], /retry 2\/2 in/);
    for (const l of logs) assertNoSecret(l, password);
  });

  test('a server that comes up during the backoff is reached on the retry', async () => {
    const port = await freePort();
    let proxy: NetServer | null = null;
    // Starts a TCP relay to the real server on the port once the first attempt has been refused.
    const s = new CapiqSource(
      resolveCapiqSettings({ pgUrl: url(READER.user, READER.password, port), capiqRetryBaseMs: 50 }),
      (line) => {
        logs.push(line);
        if (proxy) return;
        proxy = createServer((client) => {
          const upstream = createConnection(cluster.port, '127.0.0.1');
          client.pipe(upstream).pipe(client);
          client.on('error', () => upstream.destroy());
          upstream.on('error', () => client.destroy());
        });
        proxy.listen(port, '127.0.0.1');
      },
    );
    open.push(s);
    try {
      const listing = await s.listFirms('2021Q2');
      assert.ok(listing.firms.length > 5);
      assert.equal(logs.filter((l) => /retry \d\/4/.test(l)).length, 1);
    } finally {
      await s.close();
      await new Promise((r) => (proxy ? proxy.close(r) : r(null)));
    }
  });

  test('a connection dropped by the server is re-opened for the next query', async () => {
    const s = source({ pgUrl: url(READER.user, READER.password) });
    const first = await s.listFirms('2021Q2');
    const { rows } = await su.query(
      "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE usename = 'capiq_reader'",
    );
    assert.equal(rows[0].n, 1);
    const again = await s.listFirms('2021Q2');
    assert.deepEqual(again.firms, first.firms);
    assert.ok(logs.some((l) => /lost|reconnecting/.test(l)));
  });

  test('.pgpass: a matching line with mode 0600 is used; a group-readable file is ignored', async () => {
    await su.query(`CREATE ROLE colon_user LOGIN PASSWORD 'pa:ss\\wd'`);
    await su.query('GRANT USAGE ON SCHEMA ciq_transcripts, ciq_common TO colon_user');
    await su.query('GRANT SELECT ON ALL TABLES IN SCHEMA ciq_transcripts, ciq_common TO colon_user');
    const file = join(dir.path, 'pgpass');
    writeFileSync(
      file,
      `# test\n127.0.0.1:${cluster.port}:postgres:someone_else:nope\n127.0.0.1:*:*:colon_user:pa\\:ss\\\\wd\n`,
      { mode: 0o600 },
    );
    chmodSync(file, 0o600);
    process.env.PGPASSFILE = file;
    const listing = await source({ pgUrl: url('colon_user') }).listFirms('2021Q2');
    assert.ok(listing.firms.length > 5);
    chmodSync(file, 0o644);
    await assert.rejects(
      source({ pgUrl: url('colon_user') }).listFirms('2021Q2'),
      /colon_user@127\.0\.0\.1:\d+\/postgres \(sslmode=prefer\): the server asks for a password and none was found \(set PGPASSWORD, a \.pgpass line/,
    );
    assert.ok(
      logs.some((l) => l.includes(`ignoring password file ${file}: it is readable by group or others`)),
    );
  });

  test('sslmode=require against a server without TLS fails clearly, without retries', async () => {
    const s = source({ pgUrl: url(READER.user, READER.password, cluster.port, '?sslmode=require') });
    await assert.rejects(s.listFirms('2021Q2'), /\(sslmode=require\): .*does not support SSL/);
    assert.deepEqual(logs, []);
  });

  test('AWS Secrets Manager (a fake on 127.0.0.1): the secret supplies the login; errors name the secret', async () => {
    const fake = new FakeSecretsManager({
      'callthemes/wrds': JSON.stringify({
        username: READER.user,
        password: READER.password,
        host: '127.0.0.1',
        port: cluster.port,
        dbname: 'postgres',
        engine: 'postgres',
      }),
    });
    const endpoint = await fake.start();
    const aws = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'];
    const before = aws.map((k) => process.env[k]);
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_REGION: 'us-east-1',
    });
    try {
      const s = source({ pgSecretId: 'callthemes/wrds', secretsEndpoint: endpoint, capiqConnectRetries: 0 });
      const listing = await s.listFirms('2021Q2');
      assert.ok(listing.firms.some((f) => f.firmId === String(TRAP.elan)));
      assert.deepEqual(fake.requests, [
        { target: 'secretsmanager.GetSecretValue', secretId: 'callthemes/wrds', signed: true },
      ]);
      await assert.rejects(
        source({ pgSecretId: 'callthemes/missing', secretsEndpoint: endpoint }).listFirms('2021Q2'),
        /cannot read secret callthemes\/missing from AWS Secrets Manager: ResourceNotFoundException/,
      );
      for (const l of logs) assertNoSecret(l, READER.password);
    } finally {
      aws.forEach((k, i) => {
        if (before[i] === undefined) delete process.env[k];
        else process.env[k] = before[i];
      });
      await fake.stop();
    }
  });
});
