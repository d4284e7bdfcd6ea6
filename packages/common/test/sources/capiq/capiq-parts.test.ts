import assert from 'node:assert/strict';
import { test } from 'vitest';
import {
  backoffMs,
  isTransient,
  parsePgUrl,
  redact,
  resolveTarget,
  WRDS_SERVER,
} from '../../../src/sources/capiq/connection.js';
import { endsOpen, roleOf, sectionOf } from '../../../src/sources/capiq/mapping.js';
import { matchPgpass, parsePgpassLine } from '../../../src/sources/capiq/pgpass.js';
import { parseSecretFields } from '../../../src/sources/capiq/secrets.js';
import { resolveCapiqSettings } from '../../../src/sources/capiq/settings.js';
import { callWindow } from '../../../src/sources/capiq/window.js';

test('sections: by component type name first, then id; anything else unknown', () => {
  assert.equal(sectionOf(1, 'Presentation Operator Message'), 'prepared');
  assert.equal(sectionOf(2, 'Presenter Speech'), 'prepared');
  assert.equal(sectionOf(null, 'Presenters Speach'), 'prepared');
  assert.equal(sectionOf(3, 'Question'), 'qa');
  assert.equal(sectionOf(4, 'Answer'), 'qa');
  assert.equal(sectionOf(7, 'Question and Answer Operator Message'), 'qa');
  assert.equal(sectionOf(8, 'Unknown Question and Answer Message'), 'qa');
  assert.equal(sectionOf(4, null), 'qa'); // no type name (no person row in the WRDS view)
  assert.equal(sectionOf(1, null), 'prepared');
  assert.equal(sectionOf(5, null), 'unknown');
  assert.equal(sectionOf(null, null), 'unknown');
});

test('roles: speaker type name, else id, else the operator person, else the operator message type', () => {
  const f = (o: Partial<Parameters<typeof roleOf>[0]>) =>
    roleOf({
      personId: '77',
      speakerTypeId: null,
      speakerTypeName: null,
      componentTypeId: 2,
      componentTypeName: null,
      ...o,
    });
  assert.equal(f({ speakerTypeName: 'Executives', speakerTypeId: 2 }), 'executive');
  assert.equal(f({ speakerTypeName: 'Analysts', speakerTypeId: 3 }), 'analyst');
  assert.equal(f({ speakerTypeName: 'Operator', speakerTypeId: 1 }), 'operator');
  assert.equal(f({ speakerTypeName: 'Shareholders', speakerTypeId: 4 }), 'other');
  assert.equal(f({ speakerTypeId: 3 }), 'analyst');
  assert.equal(f({ speakerTypeId: 9 }), 'other');
  assert.equal(f({ personId: '1' }), 'operator');
  assert.equal(f({ personId: null, componentTypeId: 7 }), 'operator');
  assert.equal(f({ personId: '99999', componentTypeId: 4 }), 'unknown');
});

test('a turn is open when it stops without terminal punctuation', () => {
  assert.equal(endsOpen('we serve and'), true);
  assert.equal(endsOpen('It grew.'), false);
  assert.equal(endsOpen('Did it grow? '), false);
  assert.equal(endsOpen('He said “fine.”'), false);
  assert.equal(endsOpen('[Operator Instructions]'), false);
});

test('call windows: the calendar quarter, or 15 months before to 12 after for fiscal labels', () => {
  const cases: [...Parameters<typeof callWindow>, ReturnType<typeof callWindow>][] = [
    ['2021Q2', 'calendar', { from: '2021-04-01', to: '2021-06-30', fiscalLabel: null }],
    ['2020Q1', 'calendar', { from: '2020-01-01', to: '2020-03-31', fiscalLabel: null }],
    ['2021Q4', 'calendar', { from: '2021-10-01', to: '2021-12-31', fiscalLabel: null }],
    ['2022Q1', 'fiscal', { from: '2020-10-01', to: '2023-03-31', fiscalLabel: '2022Q1' }],
  ];
  for (const [quarter, basis, window] of cases) assert.deepEqual(callWindow(quarter, basis), window, quarter);
});

test('pgpass lines: escapes, wildcards, comments, first match wins', () => {
  assert.deepEqual(parsePgpassLine('h:5432:db:u:p\\:w\\\\d'), ['h', '5432', 'db', 'u', 'p:w\\d']);
  assert.deepEqual(parsePgpassLine('h\\:x:*:db:u:pw:with:colons'), ['h:x', '*', 'db', 'u', 'pw:with:colons']);
  assert.equal(parsePgpassLine('# comment'), null);
  assert.equal(parsePgpassLine('too:few'), null);
  const file = [
    '# WRDS',
    'other:9737:wrds:me:nope',
    '*:9737:wrds:me:first',
    'wrds-pgdata:*:*:me:second',
  ].join('\n');
  const q = { host: 'wrds-pgdata', port: 9737, database: 'wrds', user: 'me' };
  assert.equal(matchPgpass(file, q), 'first');
  assert.equal(matchPgpass(file, { ...q, port: 5432 }), 'second');
  assert.equal(matchPgpass(file, { ...q, user: 'you' }), undefined);
});

test('URLs: fields decoded; a bad URL is refused without echoing it', () => {
  assert.deepEqual(parsePgUrl('postgresql://me:p%40ss@db.example:6543/wrds?sslmode=verify-full'), {
    host: 'db.example',
    port: 6543,
    database: 'wrds',
    user: 'me',
    password: 'p@ss',
    sslmode: 'verify-full',
  });
  for (const bad of ['postgresql://me:hunter2@[broken', 'mysql://me:hunter2@host/db']) {
    assert.throws(
      () => parsePgUrl(bad),
      (err: Error) => /invalid pgUrl/.test(err.message) && !err.message.includes('hunter2'),
    );
  }
});

test('redaction removes the password in raw and URL-encoded form', () => {
  assert.equal(redact('a p@ss:w b p%40ss%3Aw c', ['p@ss:w']), 'a *** b *** c');
  assert.equal(redact('nothing here', [undefined, '']), 'nothing here');
});

test('backoff doubles from the base, capped at 30 s, with ±25 % jitter', () => {
  for (let i = 0; i < 50; i++) {
    const a = backoffMs(1, 500);
    const c = backoffMs(3, 500);
    const z = backoffMs(12, 500);
    assert.ok(a >= 375 && a <= 625, String(a));
    assert.ok(c >= 1500 && c <= 2500, String(c));
    assert.ok(z >= 22_500 && z <= 37_500, String(z));
  }
});

test('transient failures are retried, bad credentials are not', () => {
  assert.equal(isTransient({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }), true);
  assert.equal(isTransient({ code: '57P03', message: 'the database system is starting up' }), true);
  assert.equal(isTransient({ message: 'Connection terminated unexpectedly' }), true);
  assert.equal(isTransient({ code: '28P01', message: 'password authentication failed' }), false);
  assert.equal(isTransient({ code: '3D000', message: 'database "x" does not exist' }), false);
});

test('connection target: WRDS by default, libpq variables, URL over variables, password precedence', async () => {
  const settings = (o: Record<string, unknown> = {}) => resolveCapiqSettings(o);
  const log: string[] = [];
  const none = { PGPASSFILE: '/nonexistent/pgpass' };
  const wrds = await resolveTarget(settings(), (l) => log.push(l), { ...none, PGUSER: 'me' });
  assert.deepEqual(
    [wrds.host, wrds.port, wrds.database, wrds.user, wrds.sslmode, wrds.passwordFrom],
    [WRDS_SERVER.host, 9737, 'wrds', 'me', 'require', 'none'],
  );
  const env = { ...none, PGHOST: 'db.local', PGUSER: 'ana', PGPASSWORD: 'from-env' };
  const local = await resolveTarget(settings(), () => {}, env);
  assert.deepEqual(
    [local.host, local.port, local.database, local.user, local.sslmode, local.password, local.passwordFrom],
    ['db.local', 5432, 'ana', 'ana', 'prefer', 'from-env', 'PGPASSWORD'],
  );
  const url = await resolveTarget(
    settings({ pgUrl: 'postgresql://bob:from-url@h2:7000/d2?sslmode=disable' }),
    () => {},
    { ...env, PGSSLMODE: 'require', PGPORT: '6000' },
  );
  assert.deepEqual(
    [url.host, url.port, url.database, url.user, url.sslmode, url.password, url.passwordFrom],
    ['h2', 7000, 'd2', 'bob', 'disable', 'from-url', 'url'],
  );
  await assert.rejects(
    resolveTarget(settings(), () => {}, { ...env, PGSSLMODE: 'sometimes' }),
    /invalid sslmode/,
  );
  await assert.rejects(
    resolveTarget(settings(), () => {}, { ...env, PGPORT: 'abc' }),
    /invalid PGPORT/,
  );
});

test('secrets: AWS database-secret JSON; a malformed secret is refused without echoing it', () => {
  assert.deepEqual(
    parseSecretFields(
      's',
      '{"username":"u","password":"p","host":"h","port":9737,"dbname":"wrds","engine":"postgres"}',
    ),
    { host: 'h', port: 9737, database: 'wrds', user: 'u', password: 'p' },
  );
  assert.deepEqual(parseSecretFields('s', '{"username":"u","password":"p"}'), {
    host: undefined,
    port: undefined,
    database: undefined,
    user: 'u',
    password: 'p',
  });
  assert.deepEqual(
    parseSecretFields('s', '{"PGHOST":"h","PGPORT":"5432","PGDATABASE":"d","PGUSER":"u","PGPASSWORD":"p"}'),
    { host: 'h', port: 5432, database: 'd', user: 'u', password: 'p' },
  );
  assert.throws(
    () => parseSecretFields('s', 'user=u password=hunter2'),
    (e: Error) => /secret s is not JSON/.test(e.message) && !e.message.includes('hunter2'),
  );
  assert.throws(() => parseSecretFields('s', '{"port":"x"}'), /port is not a port number/);
});

test('settings: defaults, and invalid choices are refused', () => {
  const s = resolveCapiqSettings({});
  assert.deepEqual(
    [s.quarterBasis, s.readPath, s.transcriptsSchema, s.linksSchema, s.transcriptsPerQuery],
    ['calendar', 'views', 'ciq_transcripts', 'ciq_common', 500],
  );
  assert.throws(() => resolveCapiqSettings({ quarterBasis: 'lunar' }), /invalid quarterBasis "lunar"/);
  assert.throws(() => resolveCapiqSettings({ capiqReadPath: 'both' }), /invalid capiqReadPath/);
});
