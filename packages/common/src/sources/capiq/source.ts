/// <reference path="./pg-cursor.d.ts" />
/**
 * Capital IQ transcripts through PostgreSQL (WRDS, or an Xpressfeed load). `listFirms` picks one transcript
 * per company for the quarter (spec §6); `fetchTranscripts` streams their components through a server-side
 * cursor and yields one firm at a time, so memory holds one transcript plus one read of rows.
 */
import type pg from 'pg';
import Cursor from 'pg-cursor';
import type { Quarter } from '../../config/quarter.js';
import type { FetchResult, FirmListing, FirmRef, SourceReject, TranscriptSource } from '../types.js';
import { assembleTranscript, type ChosenCall, type ComponentRow, transcriptRef } from './assemble.js';
import {
  type ConnectionTarget,
  connectWithRetry,
  describeTarget,
  isTransient,
  redact,
  resolveTarget,
} from './connection.js';
import type { CapiqSettings } from './settings.js';
import {
  callsWithoutFinalSql,
  chosenCallsSql,
  componentsSql,
  RELATION_EXISTS_SQL,
  type SqlContext,
} from './sql.js';
import { callWindow } from './window.js';

export type Log = (line: string) => void;

export interface CapiqStats {
  queries: number;
  /** Component rows read from cursors. */
  rowsRead: number;
  /** Largest number of component rows held for one firm at a time. */
  maxRowsHeld: number;
  transcripts: number;
  rejects: number;
  blankComponents: number;
  joinedTurns: number;
}

type PlanEntry = { kind: 'call'; call: ChosenCall } | { kind: 'reject'; reject: SourceReject };

const COMPANY_ID = /^[0-9]{1,18}$/;
/** Times one slice may be resumed after its connection dropped. */
const MAX_RESUMES = 3;

export class CapiqSource implements TranscriptSource {
  readonly kind = 'capiq';
  readonly stats: CapiqStats = {
    queries: 0,
    rowsRead: 0,
    maxRowsHeld: 0,
    transcripts: 0,
    rejects: 0,
    blankComponents: 0,
    joinedTurns: 0,
  };
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private target: ConnectionTarget | null = null;
  private ctx: SqlContext | null = null;
  /** The quarter's chosen calls by firm id, from listFirms (reused by fetchTranscripts). */
  private readonly listings = new Map<Quarter, Map<string, ChosenCall>>();
  private readonly log: Log;

  constructor(
    readonly settings: CapiqSettings,
    log: Log = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.log = (line) => log(this.redact(line));
  }

  private redact(text: string): string {
    return redact(text, [this.target?.password]);
  }

  async listFirms(quarter: Quarter): Promise<FirmListing> {
    return this.closingOnError(() => this.listQuarter(quarter));
  }

  async *fetchTranscripts(quarter: Quarter, firmIds: readonly string[]): AsyncIterable<FetchResult> {
    // Stopped by an error, here or in the consumer: close, so nothing keeps the process alive (the next call
    // reconnects).
    let finished = false;
    try {
      yield* this.fetchInOrder(quarter, firmIds);
      finished = true;
    } finally {
      if (!finished) await this.close();
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.connecting = null;
    if (c) await c.end().catch(() => {});
  }

  /** A failed call closes the connection (the next call opens a new one): a caller stopping on the error is not kept alive by an open socket. */
  private async closingOnError<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private async listQuarter(quarter: Quarter): Promise<FirmListing> {
    const ctx = await this.context();
    const params = this.callParams(quarter, null);
    const chosen = await this.rows<ChosenCall>('list the quarter’s calls', chosenCallsSql(ctx), params);
    const noFinal = await this.rows<{
      firm_id: string;
      n_calls: number;
      n_versions: number;
      last_call_date: string;
      presentation_types: string;
    }>('list calls without a Final transcript', callsWithoutFinalSql(ctx), params);
    this.listings.set(quarter, new Map(chosen.map((c) => [c.firm_id, c])));
    const firms: FirmRef[] = chosen
      .map((c) => ({ firmId: c.firm_id, ticker: c.ticker, quarter, sourceRef: transcriptRef(c) }))
      .sort((a, b) => (a.firmId < b.firmId ? -1 : a.firmId > b.firmId ? 1 : 0));
    const rejects: SourceReject[] = noFinal.map((r) => ({
      sourceRef: `capiq:company/${r.firm_id}`,
      quarter,
      firmId: r.firm_id,
      reason:
        `no Final transcript of ${r.n_calls} earnings call(s) in ${quarter} ` +
        `(${r.n_versions} version(s): ${r.presentation_types}; latest call ${r.last_call_date})`,
    }));
    const skipped = chosen.reduce((n, c) => n + c.n_calls - 1, 0);
    const shared = chosen.filter((c) => c.n_firms_sharing > 1).length;
    this.log(
      `capiq ${quarter} (${this.settings.quarterBasis} quarter): ${firms.length} firms; ` +
        `${skipped} earlier call(s) in the window skipped; ${shared} firm(s) share their transcript with another; ` +
        `${rejects.length} firm(s) without a Final transcript`,
    );
    return { firms, rejects };
  }

  private async *fetchInOrder(quarter: Quarter, firmIds: readonly string[]): AsyncGenerator<FetchResult> {
    if (firmIds.length === 0) return;
    const plan = await this.plan(quarter, firmIds);
    const per = this.settings.transcriptsPerQuery;
    let i = 0;
    while (i < plan.length) {
      const slice: PlanEntry[] = [];
      let calls = 0;
      while (i < plan.length && (calls < per || plan[i].kind === 'reject')) {
        if (plan[i].kind === 'call') calls++;
        slice.push(plan[i++]);
      }
      yield* this.streamSlice(quarter, slice);
    }
  }

  /** What to do for each requested firm, in the order given: a call to stream, or a reject. */
  private async plan(quarter: Quarter, firmIds: readonly string[]): Promise<PlanEntry[]> {
    let calls = this.listings.get(quarter);
    if (!calls) {
      const ids = [...new Set(firmIds.filter((id) => COMPANY_ID.test(id)))];
      const ctx = await this.context();
      const rows =
        ids.length === 0
          ? []
          : await this.rows<ChosenCall>(
              'find the firms’ calls',
              chosenCallsSql(ctx),
              this.callParams(quarter, ids),
            );
      calls = new Map(rows.map((c) => [c.firm_id, c]));
    }
    return firmIds.map((firmId): PlanEntry => {
      const reject = (reason: string): PlanEntry => ({
        kind: 'reject',
        reject: { sourceRef: `capiq:company/${firmId}`, quarter, firmId, reason },
      });
      if (!COMPANY_ID.test(firmId)) return reject('not a Capital IQ company id (expected digits)');
      const call = calls.get(firmId);
      if (!call)
        return reject(
          `no Final earnings-call transcript in ${quarter} (${this.settings.quarterBasis} quarter)`,
        );
      return { kind: 'call', call };
    });
  }

  private finish(call: ChosenCall, quarter: Quarter, rows: ComponentRow[]): FetchResult {
    this.stats.maxRowsHeld = Math.max(this.stats.maxRowsHeld, rows.length);
    const a = assembleTranscript(call, quarter, rows);
    if (!a.ok) {
      this.stats.rejects++;
      return {
        ok: false,
        reject: { sourceRef: transcriptRef(call), quarter, firmId: call.firm_id, reason: a.reason },
      };
    }
    this.stats.transcripts++;
    this.stats.blankComponents += a.counts.blank;
    this.stats.joinedTurns += a.counts.joined;
    return { ok: true, transcript: a.transcript };
  }

  /**
   * Streams the components of a slice's calls (one cursor) and yields every entry of the slice in order. When
   * the connection drops mid-stream, the firms not yet yielded are streamed again on a new connection (a firm
   * is yielded only once all its rows are in, so none is yielded twice).
   */
  private async *streamSlice(quarter: Quarter, slice: PlanEntry[], resumes = 0): AsyncGenerator<FetchResult> {
    const ids = slice.flatMap((e) => (e.kind === 'call' ? [e.call.transcript_id] : []));
    let next = 0; // next slice entry to yield
    let callsPassed = 0; // call entries already reached; a row's pos is 1-based over call entries
    /** Yields entries before the call with position `pos` (all remaining when null); calls passed had no rows. */
    const until = (pos: number | null): FetchResult[] => {
      const out: FetchResult[] = [];
      while (next < slice.length) {
        const e = slice[next];
        if (e.kind === 'call') {
          if (pos !== null && callsPassed + 1 === pos) break;
          callsPassed++;
          out.push(this.finish(e.call, quarter, []));
        } else {
          this.stats.rejects++;
          out.push({ ok: false, reject: e.reject });
        }
        next++;
      }
      return out;
    };
    if (ids.length === 0) {
      yield* until(null);
      return;
    }
    const client = await this.connection();
    const ctx = await this.context();
    this.stats.queries++;
    const cursor = client.query(new Cursor<ComponentRow>(componentsSql(ctx), [ids]));
    let current: ChosenCall | null = null;
    let held: ComponentRow[] = [];
    let lost: Error | null = null;
    try {
      for (;;) {
        let rows: ComponentRow[];
        try {
          rows = await cursor.read(this.settings.rowsPerRead);
        } catch (err) {
          if (isTransient(err) && resumes < MAX_RESUMES) {
            lost = err as Error;
            break;
          }
          lost = err as Error;
          throw this.queryError('read the transcripts’ components', err);
        }
        if (rows.length === 0) break;
        this.stats.rowsRead += rows.length;
        for (const r of rows) {
          if (current && r.pos === callsPassed) {
            held.push(r);
            continue;
          }
          if (current) yield this.finish(current, quarter, held);
          yield* until(r.pos);
          const e = slice[next++];
          if (e?.kind !== 'call') throw new Error(`component rows out of order (position ${r.pos})`);
          callsPassed++;
          current = e.call;
          held = [r];
        }
      }
      if (!lost) {
        if (current) yield this.finish(current, quarter, held);
        current = null;
        held = [];
        yield* until(null);
      }
    } finally {
      // A failed cursor has no portal left to close, and its connection may be gone (close would wait forever).
      if (!lost) await cursor.close().catch(() => {});
    }
    if (!lost) return;
    const from = current ? next - 1 : next;
    this.log(
      `capiq: connection lost while streaming (${this.redact(lost.message)}); ` +
        `resuming with the ${slice.length - from} firm(s) not yet returned`,
    );
    this.drop(client);
    yield* this.streamSlice(quarter, slice.slice(from), resumes + 1);
  }

  /** Forgets a broken connection; the next call opens a new one. */
  private drop(client: pg.Client): void {
    if (this.client === client) this.client = null;
    void client.end().catch(() => {});
  }

  private callParams(quarter: Quarter, ids: string[] | null): unknown[] {
    const w = callWindow(quarter, this.settings.quarterBasis);
    return [w.from, w.to, ids, w.fiscalLabel];
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      this.target ??= await resolveTarget(this.settings, this.log);
      const client = await connectWithRetry(
        this.target,
        {
          retries: this.settings.connectRetries,
          baseMs: this.settings.retryBaseMs,
          connectTimeoutMs: this.settings.connectTimeoutMs,
        },
        this.log,
      );
      client.on('error', (err) => {
        // The server or network dropped an idle connection: reconnect on the next use.
        this.log(`capiq: connection to ${this.where()} lost: ${err.message}`);
        if (this.client === client) this.client = null;
      });
      this.client = client;
      return client;
    })();
    try {
      return await this.connecting;
    } finally {
      this.connecting = null;
    }
  }

  private where(): string {
    return this.target ? describeTarget(this.target) : 'PostgreSQL';
  }

  /** Which read path and optional tables this login sees; fails clearly when the main ones are missing. */
  private async context(): Promise<SqlContext> {
    if (this.ctx) return this.ctx;
    const s = this.settings;
    const exists = async (rel: string) =>
      (await this.rows<{ present: boolean }>('look up tables', RELATION_EXISTS_SQL, [rel]))[0].present;
    const needed =
      s.readPath === 'views'
        ? ['wrds_transcript_detail', 'wrds_transcript_person', 'ciqtranscriptcomponent']
        : [
            'ciqtranscript',
            'ciqevent',
            'ciqeventtoobjecttoeventtype',
            'ciqtranscriptcomponent',
            'ciqtranscriptperson',
            'ciqtranscriptspeakertype',
            'ciqtranscriptcomponenttype',
          ];
    const missing: string[] = [];
    for (const t of needed) if (!(await exists(`${s.transcriptsSchema}.${t}`))) missing.push(t);
    if (missing.length > 0)
      throw new Error(
        `Capital IQ tables not found in schema ${s.transcriptsSchema} at ${this.where()}: ${missing.join(', ')} ` +
          `(set capiqSchema, e.g. ciq_transcripts or ciq, and capiqReadPath views|base)`,
      );
    this.ctx = {
      schema: s.transcriptsSchema,
      linksSchema: s.linksSchema,
      readPath: s.readPath,
      hasCallInfo: await exists(`${s.transcriptsSchema}.ciqeventcallbasicinfo`),
      hasTickers: await exists(`${s.linksSchema}.wrds_ticker`),
    };
    return this.ctx;
  }

  /** Runs a query; on a dropped connection it reconnects (with backoff) and runs it once more. */
  private async rows<R>(what: string, sql: string, params: unknown[]): Promise<R[]> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.connection();
      this.stats.queries++;
      try {
        return (await client.query(sql, params)).rows as R[];
      } catch (err) {
        if (attempt === 0 && isTransient(err)) {
          this.log(`capiq: ${what} failed (${this.redact((err as Error).message)}); reconnecting`);
          this.drop(client);
          continue;
        }
        throw this.queryError(what, err);
      }
    }
  }

  private queryError(what: string, err: unknown): Error {
    const e = err as { code?: string; message?: string };
    let hint = '';
    if (e.code === '42501')
      hint = ' (the login lacks access: WRDS needs a Capital IQ transcripts subscription; check capiqSchema)';
    else if (e.code === '42P01' || e.code === '42703')
      hint = ` (check capiqSchema=${this.settings.transcriptsSchema} and capiqReadPath=${this.settings.readPath})`;
    const code = e.code ? ` [${e.code}]` : '';
    return new Error(
      this.redact(`capiq: cannot ${what} at ${this.where()}${code}: ${e.message ?? String(err)}${hint}`),
    );
  }
}
