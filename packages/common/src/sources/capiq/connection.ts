/**
 * Where and how to connect: a postgresql:// URL, an AWS Secrets Manager secret, the libpq variables (PGHOST,
 * PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE, PGSSLROOTCERT, PGPASSFILE) and a .pgpass file, in that
 * order per field; with no host anywhere the WRDS server is the default (as in WRDS's own Python package).
 * Connection attempts are retried with exponential backoff on transient failures. No message produced here
 * contains the password.
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import pg from 'pg';
import { defaultPgpassPath, lookupPgpass } from './pgpass.js';
import { fetchSecretFields, type SecretFields } from './secrets.js';
import type { CapiqSettings } from './settings.js';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export const WRDS_SERVER = { host: 'wrds-pgdata.wharton.upenn.edu', port: 9737, database: 'wrds' } as const;

export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  /** Where the password came from, for messages (never the password itself). */
  passwordFrom: 'url' | 'secret' | 'PGPASSWORD' | 'pgpass' | 'none';
  sslmode: SslMode;
  sslRootCert: string | undefined;
}

type Log = (line: string) => void;

/** Replaces every occurrence of each secret (raw and URL-encoded) by `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join('***');
  }
  return out;
}

interface UrlFields {
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  sslmode?: string;
}

/** Parses a postgresql:// URL; the error names the problem, never the URL (it may hold a password). */
export function parsePgUrl(url: string): UrlFields {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('invalid pgUrl: expected postgresql://user@host:port/database');
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:')
    throw new Error(`invalid pgUrl: scheme ${u.protocol} is not postgresql:`);
  const port = u.port ? Number(u.port) : undefined;
  const dec = (s: string) => (s ? decodeURIComponent(s) : undefined);
  return {
    host: u.searchParams.get('host') ?? (u.hostname ? decodeURIComponent(u.hostname) : undefined),
    port,
    database: dec(u.pathname.replace(/^\//, '')),
    user: dec(u.username),
    password: dec(u.password),
    sslmode: u.searchParams.get('sslmode') ?? undefined,
  };
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

export async function resolveTarget(
  s: CapiqSettings,
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConnectionTarget> {
  const url: UrlFields = s.pgUrl ? parsePgUrl(s.pgUrl) : {};
  const secret: SecretFields = s.pgSecretId ? await fetchSecretFields(s.pgSecretId, s.secretsEndpoint) : {};
  const envPort = envValue(env, 'PGPORT');
  const fromEnv = {
    host: envValue(env, 'PGHOST'),
    port: envPort === undefined ? undefined : Number(envPort),
    database: envValue(env, 'PGDATABASE'),
    user: envValue(env, 'PGUSER'),
  };
  if (fromEnv.port !== undefined && !(Number.isInteger(fromEnv.port) && fromEnv.port > 0))
    throw new Error(`invalid PGPORT "${envPort}": expected a port number`);
  const host = url.host ?? secret.host ?? fromEnv.host;
  const wrds = host === undefined;
  const user = url.user ?? secret.user ?? fromEnv.user ?? userInfo().username;
  const target: ConnectionTarget = {
    host: host ?? WRDS_SERVER.host,
    port: url.port ?? secret.port ?? fromEnv.port ?? (wrds ? WRDS_SERVER.port : 5432),
    database: url.database ?? secret.database ?? fromEnv.database ?? (wrds ? WRDS_SERVER.database : user),
    user,
    password: undefined,
    passwordFrom: 'none',
    sslmode: 'prefer',
    sslRootCert: envValue(env, 'PGSSLROOTCERT'),
  };
  const mode = url.sslmode ?? envValue(env, 'PGSSLMODE') ?? (wrds ? 'require' : 'prefer');
  if (!(SSL_MODES as readonly string[]).includes(mode))
    throw new Error(`invalid sslmode "${mode}": expected one of ${SSL_MODES.join(', ')}`);
  target.sslmode = mode as SslMode;
  if (url.password !== undefined) [target.password, target.passwordFrom] = [url.password, 'url'];
  else if (secret.password !== undefined)
    [target.password, target.passwordFrom] = [secret.password, 'secret'];
  else if (envValue(env, 'PGPASSWORD') !== undefined)
    [target.password, target.passwordFrom] = [envValue(env, 'PGPASSWORD'), 'PGPASSWORD'];
  else {
    const found = lookupPgpass(target, defaultPgpassPath(env));
    if (found.password !== undefined) [target.password, target.passwordFrom] = [found.password, 'pgpass'];
    else if (found.ignoredReason) log(`capiq: ignoring password file ${found.path}: ${found.ignoredReason}`);
  }
  return target;
}

export function describeTarget(t: ConnectionTarget): string {
  return `${t.user}@${t.host}:${t.port}/${t.database} (sslmode=${t.sslmode})`;
}

/** node-postgres TLS options for a libpq sslmode; `allow`/`prefer` start in plain text / TLS and fall back. */
function sslOption(t: ConnectionTarget, useTls: boolean): pg.ClientConfig['ssl'] {
  if (!useTls) return false;
  const ca = t.sslRootCert ? readFileSync(t.sslRootCert, 'utf8') : undefined;
  switch (t.sslmode) {
    case 'verify-full':
      return { rejectUnauthorized: true, ca };
    case 'verify-ca':
      return { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
    default:
      // libpq's require/prefer/allow encrypt without verifying the certificate.
      return { rejectUnauthorized: false };
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  '57P01', // admin_shutdown (connection terminated by the server)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (server starting up)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '08000',
  '08001',
  '08004',
  '08006',
]);

/** A failure worth another attempt: network trouble or a busy/starting server, never bad credentials. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  return /timeout|terminated unexpectedly|Connection terminated|socket hang up/i.test(e.message ?? '');
}

function reasonOf(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { message?: string }[] };
  const msg = e.message || e.errors?.map((x) => x.message).join('; ') || String(err);
  return e.code && e.code !== NO_PASSWORD && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg;
}

const NO_PASSWORD = 'NO_PASSWORD';
const NO_PASSWORD_HINT = 'set PGPASSWORD, a .pgpass line (mode 0600), --pg-url or --pg-secret-id';

/** Given to pg when no password was found: called only if the server asks for one. */
async function missingPassword(): Promise<string> {
  throw Object.assign(new Error(`the server asks for a password and none was found (${NO_PASSWORD_HINT})`), {
    code: NO_PASSWORD,
  });
}

function hintFor(err: unknown, t: ConnectionTarget): string {
  const code = (err as { code?: string }).code;
  if (code === '28P01' || code === '28000')
    return t.passwordFrom === 'none'
      ? ` (no password found: ${NO_PASSWORD_HINT})`
      : ` (password from ${t.passwordFrom})`;
  if (code === '3D000') return ' (check PGDATABASE or the database in --pg-url)';
  return '';
}

export interface RetryPolicy {
  retries: number;
  baseMs: number;
  connectTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Backoff before retry `n` (1-based): base·2^(n-1), capped at 30 s, with ±25 % jitter. */
export function backoffMs(n: number, baseMs: number): number {
  const d = Math.min(30_000, baseMs * 2 ** (n - 1));
  return Math.round(d * (0.75 + Math.random() * 0.5));
}

async function attempt(t: ConnectionTarget, useTls: boolean, timeoutMs: number): Promise<pg.Client> {
  const client = new pg.Client({
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.user,
    // Our own password lookup is final: pg's built-in .pgpass fallback (deprecated) must not run.
    password: t.password ?? missingPassword,
    ssl: sslOption(t, useTls),
    connectionTimeoutMillis: timeoutMs,
    application_name: 'callthemes',
    client_encoding: 'UTF8',
  });
  // An error between connect() failing and end() must not become an unhandled 'error' event.
  const ignore = () => {};
  client.on('error', ignore);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(ignore);
    throw err;
  }
  client.off('error', ignore);
  return client;
}

export async function connectWithRetry(
  t: ConnectionTarget,
  policy: RetryPolicy,
  log: Log,
): Promise<pg.Client> {
  const secrets = [t.password];
  const where = describeTarget(t);
  let useTls = t.sslmode !== 'disable' && t.sslmode !== 'allow';
  for (let n = 0; ; n++) {
    try {
      return await attempt(t, useTls, policy.connectTimeoutMs);
    } catch (err) {
      const msg = (err as Error).message ?? '';
      const fallback =
        (t.sslmode === 'prefer' && useTls && /does not support SSL/i.test(msg)) ||
        (t.sslmode === 'allow' && !useTls && /no pg_hba\.conf entry|SSL/i.test(msg));
      if (fallback) {
        useTls = !useTls;
        n--;
        continue;
      }
      const reason = redact(reasonOf(err), secrets);
      if (!isTransient(err) || n >= policy.retries) {
        const tries = n > 0 ? ` after ${n + 1} attempts` : '';
        throw new Error(`cannot connect to PostgreSQL at ${where}${tries}: ${reason}${hintFor(err, t)}`);
      }
      const delay = backoffMs(n + 1, policy.baseMs);
      log(
        `capiq: connecting to ${where} failed (${reason}); retry ${n + 1}/${policy.retries} in ${(delay / 1000).toFixed(1)} s`,
      );
      await sleep(delay);
    }
  }
}
