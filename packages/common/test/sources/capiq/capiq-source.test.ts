import assert from 'node:assert/strict';
import type pg from 'pg';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { CapiqSource, resolveCapiqSettings } from '../../../src/sources/capiq/index.js';
import type { FetchResult, Transcript } from '../../../src/sources/types.js';
import { CapiqFixture, READER, superuserClient } from '../../helpers/capiq-fixture.js';
import {
  addMotleyCalls,
  addTraps,
  INJECTION_NAME,
  type MotleyCall,
  motleyFiles,
  TRAP,
  type TrapIds,
} from '../../helpers/capiq-scenario.js';
import { MOTLEY_DIR, needsSharedData } from '../../helpers/paths.js';
import { needsPostgres, type PgCluster, startPostgres } from '../../helpers/postgres.js';

const skip = needsPostgres().skip ?? needsSharedData().skip;

describe('capiq source on a local PostgreSQL copy of the Capital IQ tables', { skip }, () => {
  let cluster: PgCluster;
  let su: pg.Client;
  let motley: MotleyCall[];
  let traps: TrapIds;
  let fixture: CapiqFixture;
  const logs: string[] = [];
  const open: CapiqSource[] = [];

  /** The reader's password comes from PGPASSWORD (set in before), as a researcher would set it. */
  const source = (o: Record<string, unknown> = {}, login = READER.user) => {
    const s = new CapiqSource(
      resolveCapiqSettings({ pgUrl: `postgresql://${login}@127.0.0.1:${cluster.port}/postgres`, ...o }),
      (line) => logs.push(line),
    );
    open.push(s);
    return s;
  };

  const collect = async (s: CapiqSource, quarter: string, ids: readonly string[]) => {
    const out: FetchResult[] = [];
    for await (const r of s.fetchTranscripts(quarter, ids)) out.push(r);
    return out;
  };

  const transcriptOf = (r: FetchResult): Transcript => {
    assert.ok(r.ok, r.ok ? '' : `rejected ${r.reject.firmId}: ${r.reject.reason}`);
    return r.transcript;
  };

  beforeAll(async () => {
    cluster = await startPostgres();
    process.env.PGPASSWORD = READER.password;
    fixture = new CapiqFixture();
    // 30 calls of fiscal 2021Q1 (calendar 2021Q2) and 30 of fiscal 2020Q4 (calendar 2021Q1, outside the window).
    motley = await addMotleyCalls(fixture, MOTLEY_DIR, motleyFiles(MOTLEY_DIR, ['2021Q1', '2020Q4'], 30), {
      companyIdBase: 100_000,
      olderVersionEvery: 4,
    });
    traps = addTraps(fixture);
    su = await superuserClient(cluster);
    await fixture.load(su);
  });

  afterAll(async () => {
    for (const s of open) await s.close();
    await su?.end();
    cluster?.stop();
  });

  const inQ2 = () => motley.filter((m) => m.fiscal === '2021Q1');

  test('listing: one firm per company with a Final earnings call in the calendar quarter', async () => {
    const s = source();
    const listing = await s.listFirms('2021Q2');
    const expected = [
      ...inQ2().map((m) => [String(m.companyId), m.transcriptId]),
      [TRAP.elan, traps.elanFinal],
      [TRAP.sharedParent, traps.shared],
      [TRAP.sharedChild, traps.shared],
      [TRAP.noComponents, traps.noComponents],
      [TRAP.allBlank, traps.allBlank],
      [TRAP.injectionName, traps.injectionName],
      [TRAP.fiscalAhead, traps.fiscalAhead],
      [TRAP.halfYear, traps.halfYear],
      [TRAP.versionTimes, traps.versionNewestCreated],
      [TRAP.latestWithoutFinal, traps.latestWithFinal],
    ].map(([firm, t]) => [String(firm), `capiq:transcript/${t}`]);
    assert.equal(inQ2().length, 30);
    assert.deepEqual(
      listing.firms.map((f) => [f.firmId, f.sourceRef]),
      expected.sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    assert.ok(listing.firms.every((f) => f.quarter === '2021Q2'));
    // Date-bounded ticker: the expired ELNO row is not used.
    assert.equal(listing.firms.find((f) => f.firmId === String(TRAP.elan))?.ticker, 'ELAN');
    assert.equal(listing.firms.find((f) => f.firmId === String(TRAP.halfYear))?.ticker, null);
    assert.deepEqual(
      listing.rejects.map((r) => [r.firmId, r.sourceRef]),
      [[String(TRAP.preliminaryOnly), `capiq:company/${TRAP.preliminaryOnly}`]],
    );
    assert.match(
      listing.rejects[0].reason,
      /no Final transcript of 1 earnings call\(s\) in 2021Q2 .*Preliminary/,
    );
    assert.ok(
      logs.some((l) =>
        /capiq 2021Q2 \(calendar quarter\): 40 firms; 1 earlier call\(s\) in the window skipped; 2 firm\(s\) share/.test(
          l,
        ),
      ),
    );
  });

  test('Motley Fool calls come back exactly: order, speakers, roles, sections, text, fiscal label, call date', async () => {
    const s = source();
    const calls = inQ2();
    const results = await collect(
      s,
      '2021Q2',
      calls.map((m) => String(m.companyId)),
    );
    assert.equal(results.length, calls.length);
    let components = 0;
    for (const [i, m] of calls.entries()) {
      const t = transcriptOf(results[i]);
      assert.equal(t.firmId, String(m.companyId));
      assert.equal(t.transcriptId, String(m.transcriptId), `${m.file}: the newest Final version`);
      assert.equal(t.ticker, m.ticker);
      assert.equal(t.firmName, `${m.ticker} Holdings Inc.`);
      assert.equal(t.quarter, '2021Q2');
      assert.equal(t.fiscalQuarter, '2021Q1');
      assert.equal(t.callDate, m.callDate);
      assert.equal(t.source, 'capiq');
      assert.deepEqual(t.components, m.parsed.components, m.file);
      components += t.components.length;
    }
    assert.ok(components > 1500, `only ${components} components`);
    assert.equal(s.stats.joinedTurns, 0, 'same-speaker turns ending a sentence are never joined');
  });

  test('the trap call: newest Final version, components in order with roles and sections', async () => {
    const s = source();
    const [r] = await collect(s, '2021Q2', [String(TRAP.elan)]);
    const t = transcriptOf(r);
    assert.equal(t.transcriptId, String(traps.elanFinal));
    assert.equal(t.firmName, 'Élan Trap Holdings, Inc.');
    assert.equal(t.fiscalQuarter, '2021Q1');
    assert.equal(t.callDate, '2021-05-10');
    assert.deepEqual(
      t.components.map((c) => [c.order, c.speakerName, c.speakerRole, c.section]),
      [
        [0, 'Operator', 'operator', 'prepared'],
        [1, 'Jane Roe', 'executive', 'prepared'],
        [2, 'José Müller', 'executive', 'prepared'],
        [3, 'José Müller', 'executive', 'prepared'], // orders 3 and 4 joined: 3 stops mid-sentence
        [5, 'Operator', 'operator', 'qa'],
        [7, 'Unknown Analyst', 'analyst', 'qa'],
        [8, 'José Müller', 'executive', 'qa'],
        [9, 'José Müller', 'executive', 'qa'], // same speaker, but 8 ends a sentence: kept apart
        [10, 'Ann Lee', 'executive', 'qa'],
        [11, null, 'unknown', 'qa'], // person id without a person row
        // order 12 is blank: skipped
        [13, 'Pat Shareholder', 'other', 'qa'],
        [14, 'Ann Lee', 'executive', 'unknown'], // undocumented component type 9
      ],
    );
    assert.equal(
      t.components[2].text,
      'Thanks, Jane. Revenue grew 12% to €1.2 billion — our best quarter ever.\n' +
        'We opened the new café in Zürich,\u00a0and our customers’ response was strong.',
    );
    assert.equal(
      t.components[3].text,
      'Margins widened in every region we serve and we expect that trend to continue through the year.',
    );
    assert.ok(!t.components.some((c) => /Preliminary copy|Edited copy|not an earnings call/.test(c.text)));
    assert.deepEqual([s.stats.blankComponents, s.stats.joinedTurns], [1, 1]);
  });

  test('a transcript shared by two companies is returned for each; unusable transcripts are rejects', async () => {
    const s = source();
    const ids = [TRAP.sharedParent, TRAP.noComponents, TRAP.sharedChild, TRAP.allBlank].map(String);
    const results = await collect(s, '2021Q2', ids);
    assert.deepEqual(
      results.map((r) =>
        r.ok ? [r.transcript.firmId, r.transcript.transcriptId] : [r.reject.firmId, 'reject'],
      ),
      [
        [String(TRAP.sharedParent), String(traps.shared)],
        [String(TRAP.noComponents), 'reject'],
        [String(TRAP.sharedChild), String(traps.shared)],
        [String(TRAP.allBlank), 'reject'],
      ],
    );
    assert.deepEqual(transcriptOf(results[0]).components, transcriptOf(results[2]).components);
    assert.equal(transcriptOf(results[2]).firmName, 'Shared Listed Subsidiary Ltd');
    const reasons = results.flatMap((r) => (r.ok ? [] : [r.reject.reason]));
    assert.match(
      reasons[0],
      new RegExp(`^transcript ${traps.noComponents} \\(event \\d+\\) has metadata but no components$`),
    );
    assert.match(
      reasons[1],
      new RegExp(`^transcript ${traps.allBlank} \\(event \\d+\\): all 2 components are blank$`),
    );
  });

  test('other traps: creation time beats transcript id, latest call with a Final, UTC date, SQL-like names', async () => {
    const s = source();
    const ids = [TRAP.versionTimes, TRAP.latestWithoutFinal, TRAP.halfYear, TRAP.injectionName].map(String);
    const ts = (await collect(s, '2021Q2', ids)).map(transcriptOf);
    assert.deepEqual(
      ts.map((t) => [t.transcriptId, t.callDate, t.fiscalQuarter]),
      [
        [String(traps.versionNewestCreated), '2021-05-12', '2021Q1'],
        [String(traps.latestWithFinal), '2021-04-22', '2020Q4'],
        [String(traps.halfYear), '2021-06-30', '2021Q2'], // "H1 2021" headline: label from ciqeventcallbasicinfo
        [String(traps.injectionName), '2021-05-06', '2021Q1'],
      ],
    );
    assert.equal(ts[3].firmName, INJECTION_NAME);
  });

  test('firm ids come back in the order asked; bad and unknown ids are harmless rejects', async () => {
    // Connected as the owner of the tables, so an injected statement could really drop one.
    const s = source({}, `${cluster.user}:${cluster.password}`);
    const asked = [
      String(TRAP.sharedChild),
      '1; DROP TABLE ciq_transcripts.ciqcompany',
      `1) OR 1=1 --`,
      String(TRAP.elan),
      '424242',
      String(inQ2()[0].companyId),
    ];
    const results = await collect(s, '2021Q2', asked);
    assert.deepEqual(
      results.map((r) => (r.ok ? r.transcript.firmId : `reject ${r.reject.firmId}: ${r.reject.reason}`)),
      [
        String(TRAP.sharedChild),
        'reject 1; DROP TABLE ciq_transcripts.ciqcompany: not a Capital IQ company id (expected digits)',
        'reject 1) OR 1=1 --: not a Capital IQ company id (expected digits)',
        String(TRAP.elan),
        'reject 424242: no Final earnings-call transcript in 2021Q2 (calendar quarter)',
        String(inQ2()[0].companyId),
      ],
    );
    const { rows } = await su.query('SELECT count(*)::int AS n FROM ciq_transcripts.ciqcompany');
    assert.equal(rows[0].n, fixture.companies.length);
  });

  test('streaming: rows arrive through the cursor a read at a time, one firm held at once', async () => {
    const s = source({ capiqRowsPerRead: 7, capiqTranscriptsPerQuery: 4 });
    const listing = await s.listFirms('2021Q2');
    const ids = listing.firms.map((f) => f.firmId);
    const { rows } = await su.query(
      'SELECT count(*)::int AS n FROM ciq_transcripts.ciqtranscriptcomponent WHERE transcriptid = ANY($1::int[])',
      [[...new Set(listing.firms.map((f) => Number(f.sourceRef.split('/')[1])))]],
    );
    const shared = (
      await su.query(
        'SELECT count(*)::int AS n FROM ciq_transcripts.ciqtranscriptcomponent WHERE transcriptid = $1',
        [traps.shared],
      )
    ).rows[0].n;
    const total = rows[0].n + shared; // the shared transcript is streamed once per firm
    const readAtFirst: number[] = [];
    const byDefault = await collect(source(), '2021Q2', ids);
    let i = 0;
    let biggest = 0;
    for await (const r of s.fetchTranscripts('2021Q2', ids)) {
      if (i === 0) readAtFirst.push(s.stats.rowsRead);
      assert.deepEqual(r, byDefault[i], `firm ${ids[i]}: same result whatever the chunking`);
      if (r.ok) biggest = Math.max(biggest, r.transcript.components.length);
      i++;
    }
    assert.equal(i, ids.length);
    assert.equal(s.stats.rowsRead, total);
    const first = transcriptOf(byDefault[0]).components.length;
    assert.ok(readAtFirst[0] <= first + 7, `read ${readAtFirst[0]} rows before the first firm (of ${total})`);
    assert.ok(s.stats.maxRowsHeld >= biggest && s.stats.maxRowsHeld < total / 5);
    // 43 transcripts in chunks of 4 → 11 component queries, plus listing and table look-ups.
    assert.ok(s.stats.queries >= Math.ceil(ids.length / 4));
  });

  test('a consumer that stops early closes the connection; the next call reconnects', async () => {
    // Two rows a read: the cursor is mid-way through the first transcript when the consumer stops.
    const s = source({ capiqRowsPerRead: 2 });
    const ids = [TRAP.elan, TRAP.sharedParent, TRAP.sharedChild].map(String);
    for await (const r of s.fetchTranscripts('2021Q2', ids)) {
      assert.ok(r.ok);
      break;
    }
    const { rows } = await su.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND state <> 'idle'",
      [READER.user],
    );
    assert.equal(rows[0].n, 0, 'no cursor left running');
    const again = await collect(s, '2021Q2', ids);
    assert.deepEqual(
      again.map((r) => r.ok && r.transcript.firmId),
      ids,
    );
  });

  test('a connection dropped mid-stream is re-opened and the firms not yet returned are streamed again', async () => {
    const ids = (await source().listFirms('2021Q2')).firms.map((f) => f.firmId);
    const expected = await collect(source(), '2021Q2', ids);
    const s = source({ capiqRowsPerRead: 5, capiqRetryBaseMs: 10 });
    const got: FetchResult[] = [];
    for await (const r of s.fetchTranscripts('2021Q2', ids)) {
      got.push(r);
      if (got.length === 3) {
        const { rows } = await su.query(
          'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE usename = $1 AND state <> $2',
          [READER.user, 'idle'],
        );
        assert.equal(rows[0].n, 1, 'the streaming connection was killed');
      }
    }
    assert.deepEqual(got, expected);
    assert.ok(
      logs.some((l) =>
        /connection lost while streaming \(.*\); resuming with the \d+ firm\(s\) not yet returned/.test(l),
      ),
    );
  });

  test('fiscal quarter basis: the call labelled with the quarter, wherever its date falls', async () => {
    const s = source({ quarterBasis: 'fiscal' });
    const fy22q1 = await s.listFirms('2022Q1');
    assert.deepEqual(
      fy22q1.firms.map((f) => f.firmId),
      [String(TRAP.fiscalAhead)],
    );
    const q2 = await s.listFirms('2021Q2');
    assert.deepEqual(
      q2.firms.map((f) => [f.firmId, f.sourceRef]),
      [
        [String(TRAP.elan), `capiq:transcript/${traps.elanNextQuarter}`],
        [String(TRAP.halfYear), `capiq:transcript/${traps.halfYear}`],
      ],
    );
    const q1 = await s.listFirms('2021Q1');
    assert.ok(
      q1.firms.some((f) => f.firmId === String(TRAP.elan) && f.sourceRef.endsWith(String(traps.elanFinal))),
    );
    assert.ok(!q1.firms.some((f) => f.firmId === String(TRAP.fiscalAhead)));
    assert.equal(q1.firms.filter((f) => Number(f.firmId) < 900_000).length, inQ2().length);
    const [t] = (await collect(s, '2022Q1', [String(TRAP.fiscalAhead)])).map(transcriptOf);
    assert.deepEqual([t.quarter, t.fiscalQuarter, t.callDate], ['2022Q1', '2022Q1', '2021-05-18']);
  });

  test('the base-table path and the `ciq` schema give the same transcripts as the WRDS views', async () => {
    const views = source();
    const ids = (await views.listFirms('2021Q2')).firms.map((f) => f.firmId);
    const expected = await collect(views, '2021Q2', ids);
    for (const o of [
      { capiqReadPath: 'base' },
      { capiqSchema: 'ciq', capiqLinksSchema: 'ciq' },
      { capiqSchema: 'ciq', capiqReadPath: 'base' },
    ]) {
      const s = source(o);
      const listing = await s.listFirms('2021Q2');
      assert.deepEqual(
        listing.firms.map((f) => f.firmId),
        ids,
        JSON.stringify(o),
      );
      assert.deepEqual(await collect(s, '2021Q2', ids), expected, JSON.stringify(o));
    }
  });

  test('schema settings: a bad name is refused, a missing schema fails clearly', async () => {
    assert.throws(() => resolveCapiqSettings({ capiqSchema: 'ciq; DROP TABLE x' }), /invalid capiqSchema/);
    assert.throws(() => resolveCapiqSettings({ capiqLinksSchema: 'Ciq' }), /invalid capiqLinksSchema/);
    const s = source({ capiqSchema: 'no_such_schema' });
    await assert.rejects(
      s.listFirms('2021Q2'),
      /Capital IQ tables not found in schema no_such_schema at capiq_reader@127\.0\.0\.1:\d+\/postgres .*wrds_transcript_detail/,
    );
  });
});
