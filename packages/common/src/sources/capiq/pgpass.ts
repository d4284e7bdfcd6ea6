/**
 * The libpq password file: lines `host:port:database:user:password`, `*` matches anything in the first four
 * fields, `\:` and `\\` escape, the first matching line wins. Location: PGPASSFILE, else ~/.pgpass
 * (%APPDATA%\postgresql\pgpass.conf on Windows). Like libpq, a file readable by group or others is ignored.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface PgpassQuery {
  host: string;
  port: number;
  database: string;
  user: string;
}

export function defaultPgpassPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PGPASSFILE) return env.PGPASSFILE;
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'postgresql', 'pgpass.conf');
  return join(homedir(), '.pgpass');
}

/** Splits one line into its fields, undoing `\` escapes. */
export function parsePgpassLine(line: string): string[] | null {
  if (line.trim() === '' || line.startsWith('#')) return null;
  const fields: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
    } else if (ch === ':' && fields.length < 4) {
      fields.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  fields.push(cur);
  return fields.length === 5 ? fields : null;
}

export function matchPgpass(text: string, q: PgpassQuery): string | undefined {
  const wanted = [q.host, String(q.port), q.database, q.user];
  for (const raw of text.split(/\r?\n/)) {
    const f = parsePgpassLine(raw);
    if (!f) continue;
    if (wanted.every((w, i) => f[i] === '*' || f[i] === w)) return f[4];
  }
  return undefined;
}

export type PgpassResult =
  | { password: string; path: string }
  | { password?: undefined; path: string; ignoredReason?: string };

export function lookupPgpass(q: PgpassQuery, path = defaultPgpassPath()): PgpassResult {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return { path };
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    return { path, ignoredReason: 'it is readable by group or others (chmod 0600 it)' };
  const password = matchPgpass(readFileSync(path, 'utf8'), q);
  return password === undefined ? { path } : { password, path };
}
