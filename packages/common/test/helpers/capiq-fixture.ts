/**
 * A local copy of the Capital IQ transcript tables (spec §4, §11): base tables in `ciq_transcripts`, the WRDS
 * views built over them (ids as numeric, creation split into date and time, link rows not de-duplicated),
 * `ciq_common.wrds_ticker`, and a `ciq` schema of views onto both. Rows are invented: real call texts from the
 * Motley Fool JSON files turned into components, plus hand-made traps. A read-only login reads it.
 */
import pg from 'pg';
import type { Transcript } from '../../src/sources/types.js';

export const READER = { user: 'capiq_reader', password: 'r3ader-s3cret-Pw!' };

const DDL = `
CREATE SCHEMA ciq_transcripts;
CREATE SCHEMA ciq_common;
CREATE SCHEMA ciq;
SET search_path = ciq_transcripts;
CREATE TABLE ciqcompany (companyid integer PRIMARY KEY, companyname varchar(400), countryid integer);
CREATE TABLE ciqeventtype (keydeveventtypeid integer PRIMARY KEY, keydeveventtypename varchar(400));
CREATE TABLE ciqevent (keydevid integer PRIMARY KEY, headline varchar(381), mostimportantdateutc timestamp,
  announceddateutc timestamp, entereddate timestamp);
CREATE TABLE ciqeventtoobjecttoeventtype (keydevid integer, objectid integer, keydeveventtypeid integer,
  keydevtoobjectroletypeid integer);
CREATE INDEX ON ciqeventtoobjecttoeventtype (keydevid);
CREATE INDEX ON ciqeventtoobjecttoeventtype (objectid);
CREATE TABLE ciqeventcallbasicinfo (keydevid integer PRIMARY KEY, fiscalyear integer, fiscalquarter integer,
  calldescription varchar(400));
CREATE TABLE ciqtranscriptcollectiontype (transcriptcollectiontypeid integer PRIMARY KEY,
  transcriptcollectiontypename varchar(200));
CREATE TABLE ciqtranscriptpresentationtype (transcriptpresentationtypeid integer PRIMARY KEY,
  transcriptpresentationtypename varchar(200));
CREATE TABLE ciqtranscript (transcriptid integer PRIMARY KEY, keydevid integer,
  transcriptcollectiontypeid integer, transcriptpresentationtypeid integer, transcriptcreationdateutc timestamp,
  audiolengthsec integer);
CREATE INDEX ON ciqtranscript (keydevid);
CREATE TABLE ciqtranscriptcomponenttype (transcriptcomponenttypeid smallint PRIMARY KEY,
  transcriptcomponenttypename varchar(200));
CREATE TABLE ciqtranscriptspeakertype (speakertypeid smallint PRIMARY KEY, speakertypename varchar(200));
CREATE TABLE ciqtranscriptperson (transcriptpersonid integer PRIMARY KEY, transcriptpersonname varchar(200),
  companyname varchar(400), proid integer, speakertypeid smallint);
CREATE TABLE ciqtranscriptcomponent (transcriptcomponentid integer PRIMARY KEY, transcriptid integer,
  componentorder smallint, transcriptcomponenttypeid smallint, transcriptpersonid integer, componenttext text);
CREATE INDEX ON ciqtranscriptcomponent (transcriptid, componentorder, transcriptcomponentid);

CREATE VIEW wrds_transcript_detail AS
SELECT x.objectid::numeric AS companyid, co.companyname, t.keydevid::numeric AS keydevid,
       t.transcriptid::numeric AS transcriptid, e.headline,
       e.mostimportantdateutc::date AS mostimportantdateutc, e.mostimportantdateutc::time AS mostimportanttimeutc,
       x.keydeveventtypeid::numeric AS keydeveventtypeid, et.keydeveventtypename,
       t.transcriptcollectiontypeid, ct.transcriptcollectiontypename,
       t.transcriptpresentationtypeid, pt.transcriptpresentationtypename,
       t.transcriptcreationdateutc::date AS transcriptcreationdate_utc,
       t.transcriptcreationdateutc::time AS transcriptcreationtime_utc,
       t.audiolengthsec::numeric AS audiolengthsec
FROM ciqtranscript t
JOIN ciqevent e ON e.keydevid = t.keydevid
JOIN ciqeventtoobjecttoeventtype x ON x.keydevid = t.keydevid
LEFT JOIN ciqcompany co ON co.companyid = x.objectid
LEFT JOIN ciqeventtype et ON et.keydeveventtypeid = x.keydeveventtypeid
LEFT JOIN ciqtranscriptcollectiontype ct ON ct.transcriptcollectiontypeid = t.transcriptcollectiontypeid
LEFT JOIN ciqtranscriptpresentationtype pt ON pt.transcriptpresentationtypeid = t.transcriptpresentationtypeid;

CREATE VIEW wrds_transcript_person AS
SELECT c.transcriptid, c.transcriptcomponentid, c.componentorder, c.transcriptcomponenttypeid,
       ty.transcriptcomponenttypename, c.transcriptpersonid, p.transcriptpersonname,
       p.companyname AS companyofperson, p.proid, p.speakertypeid, st.speakertypename,
       left(c.componenttext, 100) AS componenttextpreview,
       array_length(regexp_split_to_array(btrim(c.componenttext), '\\s+'), 1) AS word_count
FROM ciqtranscriptcomponent c
LEFT JOIN ciqtranscriptcomponenttype ty ON ty.transcriptcomponenttypeid = c.transcriptcomponenttypeid
LEFT JOIN ciqtranscriptperson p ON p.transcriptpersonid = c.transcriptpersonid
LEFT JOIN ciqtranscriptspeakertype st ON st.speakertypeid = p.speakertypeid;

CREATE TABLE ciq_common.wrds_ticker (companyid numeric, ticker varchar(20), startdate date, enddate date,
  companyname varchar(400));

INSERT INTO ciqeventtype VALUES (48, 'Earnings Calls'), (49, 'Guidance/Update Calls'),
  (51, 'Company Conference Presentations'), (55, 'Earnings Release Date');
INSERT INTO ciqtranscriptcollectiontype VALUES (1, 'Proofed Copy'), (2, 'Edited Copy'), (7, 'Spellchecked Copy'),
  (8, 'Audited Copy');
INSERT INTO ciqtranscriptpresentationtype VALUES (5, 'Final'), (7, 'Preliminary');
INSERT INTO ciqtranscriptcomponenttype VALUES (1, 'Presentation Operator Message'), (2, 'Presenter Speech'),
  (3, 'Question'), (4, 'Answer'), (7, 'Question and Answer Operator Message');
INSERT INTO ciqtranscriptspeakertype VALUES (1, 'Operator'), (2, 'Executives'), (3, 'Analysts'),
  (4, 'Shareholders');
INSERT INTO ciqtranscriptperson VALUES (1, 'Operator', NULL, NULL, 1);
`;

const CIQ_VIEWS = [
  'ciqcompany',
  'ciqeventtype',
  'ciqevent',
  'ciqeventtoobjecttoeventtype',
  'ciqeventcallbasicinfo',
  'ciqtranscriptcollectiontype',
  'ciqtranscriptpresentationtype',
  'ciqtranscript',
  'ciqtranscriptcomponenttype',
  'ciqtranscriptspeakertype',
  'ciqtranscriptperson',
  'ciqtranscriptcomponent',
  'wrds_transcript_detail',
  'wrds_transcript_person',
];

/** Component types (spec §5.1) and speaker types (§5.2). */
export const TYPE = {
  presentationOperator: 1,
  presenterSpeech: 2,
  question: 3,
  answer: 4,
  qaOperator: 7,
} as const;
export const SPEAKER = { operator: 1, executives: 2, analysts: 3, shareholders: 4 } as const;
export const FINAL = 5;
export const PRELIMINARY = 7;
export const COLLECTION = { proofed: 1, edited: 2, spellchecked: 7 } as const;

export interface ComponentSpec {
  type: number;
  /** A transcriptpersonid; may name a person with no row (a trap). null = no speaker. */
  personId: number | null;
  text: string | null;
  /** componentorder; defaults to the position in the list. */
  order?: number;
}

type Cell = string | number | null;

/** Collects invented rows, then loads them with one multi-row INSERT per table chunk. */
export class CapiqFixture {
  readonly companies: Cell[][] = [];
  readonly events: Cell[][] = [];
  readonly links: Cell[][] = [];
  readonly callInfo: Cell[][] = [];
  readonly transcripts: Cell[][] = [];
  readonly components: Cell[][] = [];
  readonly persons: Cell[][] = [];
  readonly tickers: Cell[][] = [];
  private nextEvent = 5_000_000;
  private nextTranscript = 7_000_000;
  private nextComponent = 1_000_000;
  private nextPerson = 100;
  private readonly personIds = new Map<string, number>();

  company(id: number, name: string, ticker: string | null): void {
    this.companies.push([id, name, 213]);
    if (ticker) this.tickers.push([id, ticker, '2000-01-01', null, name]);
  }

  ticker(companyId: number, ticker: string, start: string | null, end: string | null): void {
    this.tickers.push([companyId, ticker, start, end, null]);
  }

  person(name: string | null, company: string | null, speakerType: number | null): number {
    const key = `${name}|${company}|${speakerType}`;
    let id = this.personIds.get(key);
    if (id === undefined) {
      id = this.nextPerson++;
      this.personIds.set(key, id);
      this.persons.push([id, name, company, null, speakerType]);
    }
    return id;
  }

  /** An event linked to companies (one link row each, or `duplicateLinks` rows each). */
  event(o: {
    companyIds: number[];
    type: number;
    at: string;
    headline: string;
    duplicateLinks?: number;
    fiscal?: [number, number];
  }): number {
    const id = this.nextEvent++;
    this.events.push([id, o.headline, o.at, o.at, o.at]);
    for (const c of o.companyIds)
      for (let k = 0; k < (o.duplicateLinks ?? 1); k++) this.links.push([id, c, o.type, k + 1]);
    if (o.fiscal) this.callInfo.push([id, o.fiscal[0], o.fiscal[1], 'earnings call']);
    return id;
  }

  /**
   * A transcript version with its components. Component ids are handed out in reverse so that ordering by
   * id instead of componentorder would reverse the call.
   */
  transcript(o: {
    eventId: number;
    presentation: number;
    collection: number;
    created: string;
    components: ComponentSpec[];
  }): number {
    const id = this.nextTranscript++;
    this.transcripts.push([id, o.eventId, o.collection, o.presentation, o.created, 3600]);
    const n = o.components.length;
    o.components.forEach((c, i) => {
      this.components.push([this.nextComponent + n - 1 - i, id, c.order ?? i, c.type, c.personId, c.text]);
    });
    this.nextComponent += n;
    return id;
  }

  /** Turns a parsed Motley-Fool call into Capital IQ components (the inverse of the source's mapping). */
  componentsFrom(t: Transcript): ComponentSpec[] {
    return t.components.map((c) => {
      const qa = c.section === 'qa';
      const type =
        c.speakerRole === 'operator'
          ? qa
            ? TYPE.qaOperator
            : TYPE.presentationOperator
          : !qa
            ? TYPE.presenterSpeech
            : c.speakerRole === 'analyst'
              ? TYPE.question
              : TYPE.answer;
      const speakerType = {
        operator: SPEAKER.operator,
        executive: SPEAKER.executives,
        analyst: SPEAKER.analysts,
        other: SPEAKER.shareholders,
        unknown: null,
      }[c.speakerRole];
      const personId =
        c.speakerRole === 'operator'
          ? 1
          : c.speakerName === null
            ? null
            : this.person(c.speakerName, c.speakerRole === 'analyst' ? 'A Broker' : t.firmName, speakerType);
      return { type, personId, text: c.text };
    });
  }

  async load(client: pg.Client): Promise<void> {
    await client.query(DDL);
    const s = 'ciq_transcripts';
    const tables: [string, string[], Cell[][]][] = [
      [`${s}.ciqcompany`, ['integer', 'varchar', 'integer'], this.companies],
      [`${s}.ciqevent`, ['integer', 'varchar', 'timestamp', 'timestamp', 'timestamp'], this.events],
      [`${s}.ciqeventtoobjecttoeventtype`, ['integer', 'integer', 'integer', 'integer'], this.links],
      [`${s}.ciqeventcallbasicinfo`, ['integer', 'integer', 'integer', 'varchar'], this.callInfo],
      [
        `${s}.ciqtranscript`,
        ['integer', 'integer', 'integer', 'integer', 'timestamp', 'integer'],
        this.transcripts,
      ],
      [`${s}.ciqtranscriptperson`, ['integer', 'varchar', 'varchar', 'integer', 'smallint'], this.persons],
      [
        `${s}.ciqtranscriptcomponent`,
        ['integer', 'integer', 'smallint', 'smallint', 'integer', 'text'],
        this.components,
      ],
      ['ciq_common.wrds_ticker', ['numeric', 'varchar', 'date', 'date', 'varchar'], this.tickers],
    ];
    for (const [table, types, rows] of tables) await insertRows(client, table, types, rows);
    const views = CIQ_VIEWS.map((t) => `CREATE VIEW ciq.${t} AS SELECT * FROM ${s}.${t};`).join('\n');
    await client.query(`${views}
      CREATE VIEW ciq.wrds_ticker AS SELECT * FROM ciq_common.wrds_ticker;
      ANALYZE;
      CREATE ROLE ${READER.user} LOGIN PASSWORD '${READER.password}';
      GRANT USAGE ON SCHEMA ciq_transcripts, ciq_common, ciq TO ${READER.user};
      GRANT SELECT ON ALL TABLES IN SCHEMA ciq_transcripts, ciq_common, ciq TO ${READER.user};`);
  }
}

/** INSERT … SELECT * FROM unnest($1::t1[], $2::t2[], …): one round trip per 5,000 rows, values as parameters. */
async function insertRows(client: pg.Client, table: string, types: string[], rows: Cell[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    const columns = types.map((_, j) => chunk.map((r) => r[j]));
    const args = types.map((t, j) => `$${j + 1}::${t}[]`).join(', ');
    await client.query(`INSERT INTO ${table} SELECT * FROM unnest(${args})`, columns);
  }
}

export async function superuserClient(c: {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}): Promise<pg.Client> {
  const client = new pg.Client({
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password,
    database: c.database,
  });
  await client.connect();
  return client;
}
