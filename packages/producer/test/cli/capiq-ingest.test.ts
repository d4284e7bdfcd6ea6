import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '@callthemes/common/lake';
import { LakeQuery } from '@callthemes/common/query';
import { CapiqSource, resolveCapiqSettings } from '@callthemes/common/sources/capiq';
import { CapiqFixture, READER, superuserClient } from '@callthemes/common/testing/capiq-fixture';
import {
  addMotleyCalls,
  addTraps,
  type MotleyCall,
  motleyFiles,
  TRAP,
  type TrapIds,
} from '@callthemes/common/testing/capiq-scenario';
import { runCli } from '@callthemes/common/testing/cli';
import { MOTLEY_DIR, needsSharedData, REPO_ROOT, tempDir } from '@callthemes/common/testing/paths';
import { needsPostgres, type PgCluster, startPostgres } from '@callthemes/common/testing/postgres';
import { runFirmStage } from '@callthemes/firm-worker';
import { afterAll, beforeAll, describe, test } from 'vitest';

const skip = needsPostgres().skip ?? needsSharedData().skip;

/** The real CLI in a child process; one left hanging by an open connection is killed and fails the test. */
const cli = (args: string[], env: Record<string, string>) => runCli(args, env, REPO_ROOT, 60_000);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('callthemes ingest --source capiq against a local PostgreSQL', { skip }, () => {
  let cluster: PgCluster;
  let motley: MotleyCall[];
  let traps: TrapIds;
  const dir = tempDir('callthemes-capiq-cli-');
  const lake = join(dir.path, 'lake');
  let env: Record<string, string>;
  let pgUrl: string;
  let run: { code: number; stdout: string; stderr: string };
  let q: LakeQuery;

  beforeAll(async () => {
    cluster = await startPostgres();
    const fx = new CapiqFixture();
    motley = await addMotleyCalls(fx, MOTLEY_DIR, motleyFiles(MOTLEY_DIR, ['2021Q1'], 8), {
      companyIdBase: 100_000,
    });
    traps = addTraps(fx);
    const su = await superuserClient(cluster);
    await fx.load(su);
    await su.end();
    pgUrl = `postgresql://${READER.user}@127.0.0.1:${cluster.port}/postgres`;
    env = { PGPASSWORD: READER.password, PGPASSFILE: join(dir.path, 'none') };
    run = await cli(
      [
        'ingest',
        '--source',
        'capiq',
        '--pg-url',
        pgUrl,
        '--quarters',
        '2021Q2',
        '--lake',
        lake,
        '--batch-size',
        '5',
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    q = await LakeQuery.open(openStore(lake));
  });

  afterAll(() => {
    q?.close();
    cluster?.stop();
    dir.cleanup();
  });

  test('every usable transcript is ingested; the unusable ones are rejects', async () => {
    // 8 Motley calls + 7 traps usable; rejected: no Final (list), no components and all blank (fetch),
    // a transcript too short to leave a sentence (firm stage).
    assert.match(run.stdout, /^ingested 15 firms \(4 rejected\) over 1 quarter\(s\)/);
    assert.match(
      run.stderr,
      /capiq 2021Q2 \(calendar quarter\): 18 firms; 1 earlier call\(s\) in the window skipped/,
    );
    assert.match(run.stderr, /2021Q2: 18 firms in 4 batch\(es\)/);
    const rejects = await q.rows('SELECT firm_id, stage, reason FROM rejects ORDER BY firm_id');
    assert.deepEqual(
      rejects.map((r) => [r.firm_id, r.stage]),
      [
        [String(TRAP.preliminaryOnly), 'list'],
        [String(TRAP.noComponents), 'fetch'],
        [String(TRAP.allBlank), 'fetch'],
        [String(TRAP.versionTimes), 'firm'],
      ],
    );
    assert.match(String(rejects[1].reason), /has metadata but no components/);
    assert.match(String(rejects[2].reason), /all 2 components are blank/);
    assert.match(String(rejects[3].reason), /no sentences left after filters/);
  });

  test('firms rows carry the Capital IQ ids, names, tickers, fiscal labels and call dates', async () => {
    const firms = await q.rows(
      `SELECT firm_id, firm_name, ticker, quarter, fiscal_quarter, call_date, source, transcript_id, n_sentences
       FROM firms ORDER BY firm_id`,
    );
    assert.deepEqual(
      firms.map((f) => f.firm_id),
      [
        ...motley.map((m) => String(m.companyId)),
        ...[
          TRAP.elan,
          TRAP.sharedParent,
          TRAP.sharedChild,
          TRAP.injectionName,
          TRAP.fiscalAhead,
          TRAP.halfYear,
          TRAP.latestWithoutFinal,
        ].map(String),
      ],
    );
    assert.ok(firms.every((f) => f.source === 'capiq' && f.quarter === '2021Q2'));
    const elan = firms.find((f) => f.firm_id === String(TRAP.elan));
    assert.deepEqual(
      [elan?.firm_name, elan?.ticker, elan?.fiscal_quarter, elan?.call_date, elan?.transcript_id],
      ['Élan Trap Holdings, Inc.', 'ELAN', '2021Q1', '2021-05-10', String(traps.elanFinal)],
    );
    const fiscal = firms.find((f) => f.firm_id === String(TRAP.fiscalAhead));
    assert.deepEqual([fiscal?.fiscal_quarter, fiscal?.call_date], ['2022Q1', '2021-05-18']);
    const parent = firms.find((f) => f.firm_id === String(TRAP.sharedParent));
    const child = firms.find((f) => f.firm_id === String(TRAP.sharedChild));
    assert.equal(parent?.transcript_id, child?.transcript_id);
    assert.equal(parent?.n_sentences, child?.n_sentences);
    for (const m of motley) {
      const f = firms.find((x) => x.firm_id === String(m.companyId));
      assert.deepEqual([f?.ticker, f?.fiscal_quarter, f?.call_date], [m.ticker, '2021Q1', m.callDate]);
      assert.ok(Number(f?.n_sentences) > 10, `${m.file}: ${f?.n_sentences} sentences`);
    }
  });

  test('sentences keep the speaker roles and sections of the components', async () => {
    const rows = await q.rows(
      `SELECT section, speaker_role, count(*)::INT AS n FROM sentences WHERE firm_id = '${TRAP.elan}'
       GROUP BY ALL ORDER BY section, speaker_role`,
    );
    const kinds = rows.map((r) => `${r.section}/${r.speaker_role}`);
    for (const k of [
      'prepared/executive',
      'qa/analyst',
      'qa/executive',
      'qa/other',
      'qa/unknown',
      'unknown/executive',
    ])
      assert.ok(kinds.includes(k), `${k} missing from ${kinds.join(', ')}`);
    const texts = await q.rows(`SELECT text FROM sentences WHERE firm_id = '${TRAP.elan}' ORDER BY position`);
    // Non-ASCII text survives the trip (the splitter folds the no-break space into a space).
    const cafe = /^We opened the new café in Zürich,\s+and our customers’ response was strong\.$/;
    assert.ok(texts.some((t) => cafe.test(String(t.text))));
    assert.ok(!texts.some((t) => /Preliminary copy|Edited copy|not an earnings call/.test(String(t.text))));
  });

  test('batches lists the quarter’s firm batches from the database, by calendar or fiscal quarter', async () => {
    const r = await cli(
      ['batches', '--source', 'capiq', '--pg-url', pgUrl, '--quarter', '2021Q2', '--batch-size', '5'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const batches = JSON.parse(r.stdout) as {
      batch: number;
      firms: number;
      firstFirm: string;
      lastFirm: string;
    }[];
    assert.deepEqual(
      batches.map((b) => b.firms),
      [5, 5, 5, 3],
    );
    assert.equal(batches[3].lastFirm, String(TRAP.latestWithoutFinal));
    const fiscal = await cli(
      ['batches', '--source', 'capiq', '--pg-url', pgUrl, '--quarter-basis', 'fiscal', '--quarter', '2022Q1'],
      env,
    );
    assert.equal(fiscal.code, 0, fiscal.stderr);
    assert.deepEqual(
      (JSON.parse(fiscal.stdout) as { firstFirm: string; firms: number }[]).map((b) => [
        b.firstFirm,
        b.firms,
      ]),
      [[String(TRAP.fiscalAhead), 1]],
    );
  });

  test('the password never reaches the output or the lake; a wrong one fails with exit 1 and no secret', async () => {
    const everything = [
      run.stdout,
      run.stderr,
      ...filesUnder(lake).map((f) => readFileSync(f).toString('latin1')),
    ];
    for (const text of everything) assert.ok(!text.includes(READER.password));
    const wrong = 'Wr0ng-Passw0rd-Here';
    const r = await cli(
      ['ingest', '--source', 'capiq', '--quarters', '2021Q2', '--lake', join(dir.path, 'lake2')],
      {
        ...env,
        PGHOST: '127.0.0.1',
        PGPORT: String(cluster.port),
        PGUSER: READER.user,
        PGDATABASE: 'postgres',
        PGPASSWORD: wrong,
      },
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: cannot connect to PostgreSQL at capiq_reader@127\.0\.0\.1:\d+\/postgres .*password authentication failed/m,
    );
    assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong));
  });

  test('a missing schema stops the command with exit 1, a clear reason, and no hanging connection', async () => {
    const r = await cli(
      [
        'ingest',
        '--source',
        'capiq',
        '--pg-url',
        pgUrl,
        '--capiq-schema',
        'nope',
        '--quarters',
        '2021Q2',
        '--lake',
        join(dir.path, 'lake3'),
      ],
      env,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^error: Capital IQ tables not found in schema nope at capiq_reader@127\.0\.0\.1:\d+\/postgres/m,
    );
  });

  test('the firm stage batch by batch, each in a fresh source as separate firm-batch jobs run, matches ingest', async () => {
    const lake2 = join(dir.path, 'lake-batches');
    const store = openStore(lake2);
    const results = [];
    for (const batch of [3, 0, 2, 1]) {
      process.env.PGPASSWORD = READER.password;
      const source = new CapiqSource(resolveCapiqSettings({ pgUrl }), () => {});
      try {
        results.push(
          await runFirmStage({
            store,
            source,
            quarter: '2021Q2',
            batch,
            batchSize: 5,
            runId: `job-${batch}`,
            flushEvery: 2,
            filter: { minTokens: 5 },
          }),
        );
      } finally {
        await source.close();
        delete process.env.PGPASSWORD;
      }
    }
    assert.deepEqual(
      results.map((r) => [r.firmsOk, r.firmsRejected]),
      // Sorted ids: 8 Motley firms, then 900001…; batch 2 holds the two fetch rejects, batch 3 the too-short call.
      [
        [2, 1],
        [5, 0],
        [3, 2],
        [5, 0],
      ],
    );
    const q2 = await LakeQuery.open(store);
    try {
      const sum = `SELECT firm_id, n_sentences, transcript_id FROM firms ORDER BY firm_id`;
      assert.deepEqual(await q2.rows(sum), await q.rows(sum));
      const sentences = 'SELECT count(*)::INT AS n, count(DISTINCT sentence_id)::INT AS ids FROM sentences';
      assert.deepEqual(await q2.rows(sentences), await q.rows(sentences));
    } finally {
      q2.close();
    }
  });
});
