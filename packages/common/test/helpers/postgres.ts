/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temp folder, start on a free port on
 * 127.0.0.1 (unix socket inside the folder), stop and delete it afterwards. Uses Debian's server binaries
 * (/usr/lib/postgresql/<v>/bin) or `pg_config --bindir`; never touches a system cluster. As root the server
 * runs as the `postgres` user, as PostgreSQL refuses to run as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { skipIf } from './paths.js';

export interface PgCluster {
  host: string;
  port: number;
  /** The superuser, with password authentication over TCP. */
  user: string;
  password: string;
  database: string;
  dir: string;
  stop(): void;
}

const SUPERUSER = 'postgres';

function findBinDir(): string | null {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(debian, versions[0], 'bin');
  }
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && existsSync(join(dir, 'initdb')) ? dir : null;
}

function postgresUserIds(): { uid: number; gid: number } | null {
  const r = spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return null;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** Why a cluster cannot be started here, or null when it can. */
export function postgresUnavailable(): string | null {
  if (!findBinDir()) return 'PostgreSQL server binaries not found (apt-get install postgresql); test skipped';
  if (process.getuid?.() === 0 && !postgresUserIds())
    return 'running as root without a "postgres" user to run the server; test skipped';
  return null;
}

/** Skips (with the reason) when no cluster can be started. */
export function needsPostgres(): { skip?: boolean } {
  const why = postgresUnavailable();
  return skipIf(why ?? undefined);
}

export async function startPostgres(): Promise<PgCluster> {
  const bin = findBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found');
  const asRoot = process.getuid?.() === 0;
  const ids = asRoot ? postgresUserIds() : null;
  if (asRoot && !ids) throw new Error('no "postgres" user to run the server as');
  // As root the server user must reach the folder; a TMPDIR under /root would not do, /tmp always does.
  const dir = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'callthemes-pg-'));
  const data = join(dir, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids) {
    chownSync(dir, ids.uid, ids.gid);
    chownSync(pwfile, ids.uid, ids.gid);
  }
  chmodSync(dir, 0o700);
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot
      ? ['runuser', ['-u', SUPERUSER, '--', join(bin, tool), ...args]]
      : [join(bin, tool), args];
    try {
      return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${tool} failed: ${e.stderr || e.message}`);
    }
  };
  run('initdb', [
    '-D',
    data,
    '-U',
    SUPERUSER,
    `--pwfile=${pwfile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  rmSync(pwfile);
  const port = await freePort();
  const serverOptions = [
    `-c listen_addresses=127.0.0.1`,
    `-p ${port}`,
    `-k ${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=30',
    '-c shared_buffers=32MB',
  ].join(' ');
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', serverOptions, 'start']);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A crashed or interrupted test run must not leave a server behind.
  process.once('exit', stop);
  return { host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres', dir, stop };
}
