import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { HiveSQL, TrinoSQL } from 'dt-sql-parser';
import { describe, it } from 'vitest';
import { athenaType, TABLE_NAMES, TABLES } from '../../src/lake/schema.js';
import { athenaDdl } from '../../src/query/athena-ddl.js';
import { DERIVED_VIEWS, firmThemeSentimentSql, themeSentimentSql } from '../../src/query/research-scores.js';
import { CLI_BIN } from '../helpers/paths.js';

const opts = {
  database: 'callthemes',
  location: 's3://research-bucket/lake',
  quarters: ['2021Q1', '2021Q2'],
};

describe('Athena DDL from the lake schema', () => {
  const statements = athenaDdl(opts);

  it('has the database, one table per lake table with its exact columns, then the views', () => {
    assert.equal(statements[0], 'CREATE DATABASE IF NOT EXISTS `callthemes`');
    assert.equal(statements.length, 1 + TABLE_NAMES.length + DERIVED_VIEWS.length);
    TABLE_NAMES.forEach((name, i) => {
      const ddl = statements[1 + i];
      assert.ok(ddl.startsWith(`CREATE EXTERNAL TABLE IF NOT EXISTS \`callthemes\`.\`${name}\` (`), name);
      const cols = [...ddl.matchAll(/^ {2}`([a-z_]+)` ([a-z<>]+) COMMENT/gm)].map((m) => [m[1], m[2]]);
      assert.deepEqual(
        cols,
        TABLES[name].columns.map((c) => [c.name, athenaType(c.type)]),
      );
      assert.match(ddl, /PARTITIONED BY \(`quarter` string\)\nSTORED AS PARQUET/);
      assert.ok(ddl.includes(`LOCATION 's3://research-bucket/lake/${name}/'`));
      assert.ok(ddl.includes(`'projection.quarter.values' = '2021Q1,2021Q2'`));
      assert.ok(
        ddl.includes(
          `'storage.location.template' = 's3://research-bucket/lake/${name}/quarter=\${quarter}/'`,
        ),
      );
    });
    assert.deepEqual(statements.slice(1 + TABLE_NAMES.length), [...DERIVED_VIEWS]);
  });

  it('parses as Hive DDL (the dialect Athena uses for CREATE TABLE)', () => {
    const hive = new HiveSQL();
    for (const s of statements.slice(0, 1 + TABLE_NAMES.length))
      assert.deepEqual(hive.validate(s), [], s.slice(0, 80));
  });

  it('refuses a location that is not S3, a bad database name, or no quarters', () => {
    assert.throws(
      () => athenaDdl({ ...opts, location: 'lake/quarters' }),
      /invalid location "lake\/quarters"/,
    );
    assert.throws(() => athenaDdl({ ...opts, database: 'my-db' }), /invalid database name "my-db"/);
    assert.throws(() => athenaDdl({ ...opts, quarters: [] }), /no quarters/);
  });
});

describe('the research-score SQL is Athena (Trino) SQL too', () => {
  it('parses the view and both presets with a Trino grammar', () => {
    const trino = new TrinoSQL();
    for (const sql of [
      ...DERIVED_VIEWS,
      themeSentimentSql('2021Q2'),
      firmThemeSentimentSql('2021Q2'),
      themeSentimentSql(),
    ])
      assert.deepEqual(trino.validate(sql), [], sql.slice(0, 80));
    // The grammar does reject what Trino rejects.
    assert.notDeepEqual(trino.validate('SELECT a FROM t QUALIFY row_number() OVER () = 1 LIMIT'), []);
  });

  it('refuses a quarter that is not YYYYQn instead of inlining it', () => {
    assert.throws(() => themeSentimentSql("2021Q2' OR '1'='1"), /invalid quarter/);
  });
});

describe('callthemes athena-ddl', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, [CLI_BIN, 'athena-ddl', ...args], {
      encoding: 'utf8',
      env: { ...process.env, CALLTHEMES_FROM_SOURCE: '1', CALLTHEMES_LAKE: '' },
    });

  it('prints every statement, separated by semicolons', () => {
    const res = cli(['--location', 's3://research-bucket/lake', '--quarters', '2021Q1..2021Q4']);
    assert.equal(res.status, 0, res.stderr);
    assert.equal((res.stdout.match(/^CREATE EXTERNAL TABLE/gm) ?? []).length, TABLE_NAMES.length);
    assert.ok(res.stdout.includes(`'projection.quarter.values' = '2021Q1,2021Q2,2021Q3,2021Q4'`));
    assert.ok(res.stdout.trimEnd().endsWith(';'));
  });

  it('exits 2 with the reason when the location is missing or not S3', () => {
    const missing = cli([]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /missing --location/);
    const local = cli(['--location', './lake']);
    assert.equal(local.status, 2);
    assert.match(local.stderr, /invalid location/);
  });
});
