/**
 * Capital IQ source speed against a throwaway local PostgreSQL, with firms made of Motley Fool calls loaded as
 * Capital IQ rows (all in 2021Q2):
 * (a) baseline: the source's component query as one plain query (every row in memory at once);
 * (b) the source: listing, then every firm streamed through the cursor (one firm held at a time);
 * (c) the ingest stage (stream, split, filter, write Parquet; batches of 50) on this source, against
 * (d) the same stage fed the same transcripts from memory — the ratio (c)/(d) is what PostgreSQL costs ingest.
 * Usage: node --import @callthemes/common/register-source bench/capiq/stream.ts [--firms 300] [--runs 3] [--rows-per-read 2000]
 */
import { parseArgs } from 'node:util';
import { LocalLakeStore } from '@callthemes/common/lake';
import type { FetchResult, FirmListing, Transcript, TranscriptSource } from '@callthemes/common/sources';
import { CapiqSource, componentsSql, resolveCapiqSettings } from '@callthemes/common/sources/capiq';
import { CapiqFixture, READER, superuserClient } from '@callthemes/common/testing/capiq-fixture';
import { addMotleyCalls, motleyFiles } from '@callthemes/common/testing/capiq-scenario';
import { MOTLEY_DIR, tempDir } from '@callthemes/common/testing/paths';
import { startPostgres } from '@callthemes/common/testing/postgres';
import { runFirmStage } from '@callthemes/firm-worker';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    firms: { type: 'string', default: '300' },
    runs: { type: 'string', default: '3' },
    'rows-per-read': { type: 'string', default: '2000' },
  },
});
const nFirms = Number(values.firms);
const runs = Number(values.runs);
const quarter = '2021Q2';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const cluster = await startPostgres();
/** Serves transcripts fetched earlier, to time the ingest stage without any source cost. */
class MemorySource implements TranscriptSource {
  readonly kind = 'memory';
  constructor(
    private readonly listing: FirmListing,
    private readonly byFirm: Map<string, Transcript>,
  ) {}
  async listFirms(): Promise<FirmListing> {
    return this.listing;
  }
  async *fetchTranscripts(_q: string, ids: readonly string[]): AsyncIterable<FetchResult> {
    for (const id of ids) {
      const t = this.byFirm.get(id);
      if (t) yield { ok: true, transcript: t };
    }
  }
}

async function ingestStage(source: TranscriptSource): Promise<{ seconds: number; sentences: number }> {
  const dir = tempDir('callthemes-bench-capiq-');
  const store = new LocalLakeStore(dir.path);
  const t0 = performance.now();
  const listing = await source.listFirms(quarter);
  let sentences = 0;
  for (let b = 0; b * 50 < listing.firms.length; b++) {
    const out = await runFirmStage({
      store,
      source,
      quarter,
      batch: b,
      batchSize: 50,
      runId: 'bench',
      flushEvery: 50,
      filter: { minTokens: 5 },
      firms: listing.firms,
    });
    sentences += out.sentences;
  }
  const seconds = (performance.now() - t0) / 1000;
  dir.cleanup();
  return { seconds, sentences };
}

try {
  const fx = new CapiqFixture();
  const all = motleyFiles(
    MOTLEY_DIR,
    ['2020Q1', '2020Q2', '2020Q3', '2020Q4', '2021Q1', '2021Q2', '2021Q3', '2021Q4'],
    10_000,
  );
  await addMotleyCalls(fx, MOTLEY_DIR, all.slice(0, nFirms), { companyIdBase: 100_000, sameQuarter: true });
  const su = await superuserClient(cluster);
  let t = performance.now();
  await fx.load(su);
  const textBytes = fx.components.reduce((n, c) => n + Buffer.byteLength(String(c[5] ?? '')), 0);
  console.log(
    `loaded ${fx.companies.length} firms, ${fx.components.length} component rows (${mb(textBytes)} MB of text) ` +
      `into PostgreSQL 15 in ${((performance.now() - t) / 1000).toFixed(1)} s; ${runs} runs each, median`,
  );
  await su.end();
  const pgUrl = `postgresql://${READER.user}:${encodeURIComponent(READER.password)}@127.0.0.1:${cluster.port}/postgres`;
  const settings = resolveCapiqSettings({ pgUrl, capiqRowsPerRead: values['rows-per-read'] });

  const plain: number[] = [];
  const streamed: number[] = [];
  const listed: number[] = [];
  const staged: number[] = [];
  const fromMemory: number[] = [];
  let rows = 0;
  let firms = 0;
  let held = 0;
  let sentences = 0;
  for (let r = 0; r < runs; r++) {
    // (a) baseline: the same component query, one plain query, all rows at once.
    const probe = new CapiqSource(settings, () => {});
    const listing = await probe.listFirms(quarter);
    const ids = listing.firms.map((f) => f.sourceRef.split('/')[1]);
    await probe.close();
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    const sql = componentsSql({
      schema: 'ciq_transcripts',
      linksSchema: 'ciq_common',
      readPath: 'views',
      hasCallInfo: true,
      hasTickers: true,
    });
    t = performance.now();
    rows = (await client.query(sql, [ids])).rows.length;
    plain.push((performance.now() - t) / 1000);
    await client.end();

    // (b) the source: listing + every firm streamed through the cursor.
    const source = new CapiqSource(settings, () => {});
    const kept = new Map<string, Transcript>();
    t = performance.now();
    const l = await source.listFirms(quarter);
    listed.push((performance.now() - t) / 1000);
    for await (const x of source.fetchTranscripts(
      quarter,
      l.firms.map((f) => f.firmId),
    ))
      if (x.ok) kept.set(x.transcript.firmId, x.transcript);
    streamed.push((performance.now() - t) / 1000);
    firms = kept.size;
    held = source.stats.maxRowsHeld;
    if (source.stats.rowsRead !== rows)
      throw new Error(`streamed ${source.stats.rowsRead} rows, expected ${rows}`);
    await source.close();

    // (c) the ingest stage on this source, (d) the same stage on the same transcripts from memory.
    const stageSource = new CapiqSource(settings, () => {});
    const c = await ingestStage(stageSource);
    await stageSource.close();
    staged.push(c.seconds);
    sentences = c.sentences;
    const d = await ingestStage(new MemorySource(l, kept));
    fromMemory.push(d.seconds);
    if (d.sentences !== c.sentences) throw new Error('memory and capiq ingest disagree');
  }
  const [a, b, c, d] = [median(plain), median(streamed), median(staged), median(fromMemory)];
  const line = (what: string, s: number, extra: string) =>
    console.log(`${what.padEnd(26)}: ${s.toFixed(2)} s  ${extra}`);
  line(
    '(a) plain query, baseline',
    a,
    `${(rows / a).toFixed(0)} rows/s  ${(firms / a).toFixed(0)} firms/s  (all ${rows} rows held)`,
  );
  line(
    '(b) capiq list + stream',
    b,
    `${(rows / b).toFixed(0)} rows/s  ${(firms / b).toFixed(0)} firms/s  (≤ ${held} rows held: one firm)`,
  );
  const lst = median(listed);
  line('    of which connect + list', lst, `${((100 * lst) / b).toFixed(0)} % of (b)`);
  line(
    '(c) ingest on capiq',
    c,
    `${(firms / c).toFixed(1)} transcripts/s  ${(sentences / c).toFixed(0)} sentences/s`,
  );
  line('(d) ingest from memory', d, `${(firms / d).toFixed(1)} transcripts/s`);
  console.log(`ratios: stream/plain ${(b / a).toFixed(2)}×, ingest capiq/memory ${(c / d).toFixed(2)}×`);
} finally {
  cluster.stop();
}
