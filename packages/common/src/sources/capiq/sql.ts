/**
 * The SQL of the Capital IQ source (spec §6, §9), for WRDS's views or the Xpressfeed base tables. Only schema
 * names (checked identifiers) are spliced into the text; every value is a bind parameter. Identifiers are
 * lowercase and unquoted so the same text runs on WRDS and on a PostgreSQL Xpressfeed load.
 *
 * Call-selection parameters: $1 first call date, $2 last call date (dates, inclusive), $3 bigint[] of company
 * ids or NULL for all, $4 fiscal label `YYYYQn` to keep or NULL for any.
 */
import type { ReadPath } from './settings.js';

export interface SqlContext {
  schema: string;
  linksSchema: string;
  readPath: ReadPath;
  /** `ciqeventcallbasicinfo` is readable (fiscal year/quarter when the headline has no "Qn YYYY"). */
  hasCallInfo: boolean;
  /** `<links>.wrds_ticker` is readable. */
  hasTickers: boolean;
}

export const EARNINGS_CALL_TYPE = 48;
export const FINAL_PRESENTATION_TYPE = 5;

/** "…, Q3 2023 Earnings Call, Oct 19, 2023" → 2023Q3 (the fiscal label S&P writes before "Earnings Call"). */
const HEADLINE_FISCAL = `'Q([1-4])\\s+(?:FY\\s*)?(\\d{4})\\s+Earnings\\s+Call'`;

function fiscalLabel(headline: string, ctx: SqlContext): string {
  const fromHeadline =
    `(regexp_match(${headline}, ${HEADLINE_FISCAL}, 'i'))[2] || 'Q' || ` +
    `(regexp_match(${headline}, ${HEADLINE_FISCAL}, 'i'))[1]`;
  if (!ctx.hasCallInfo) return fromHeadline;
  return `COALESCE(${fromHeadline},
             CASE WHEN ci.fiscalquarter BETWEEN 1 AND 4
                  THEN ci.fiscalyear::int::text || 'Q' || ci.fiscalquarter::int::text END)`;
}

function callInfoJoin(keydev: string, ctx: SqlContext): string {
  return ctx.hasCallInfo
    ? `LEFT JOIN LATERAL (SELECT b.fiscalyear, b.fiscalquarter FROM ${ctx.schema}.ciqeventcallbasicinfo AS b
                          WHERE b.keydevid = ${keydev} LIMIT 1) AS ci ON true`
    : '';
}

/** Every version of every earnings call in the window (Final or not), with its fiscal label. */
function candidateCte(ctx: SqlContext): string {
  const s = ctx.schema;
  if (ctx.readPath === 'views') {
    return `candidate AS (
      SELECT d.companyid::bigint                 AS company_id,
             d.companyname                       AS company_name,
             d.keydevid::bigint                  AS event_id,
             d.transcriptid::bigint              AS transcript_id,
             d.headline                          AS headline,
             d.mostimportantdateutc::date        AS call_date,
             d.mostimportanttimeutc::time        AS call_time,
             d.transcriptcollectiontypename      AS collection_type,
             d.transcriptpresentationtypename    AS presentation_type,
             d.transcriptpresentationtypeid = ${FINAL_PRESENTATION_TYPE} AS is_final,
             d.transcriptcreationdate_utc + COALESCE(d.transcriptcreationtime_utc, TIME '00:00') AS created_utc,
             ${fiscalLabel('d.headline', ctx)}   AS fiscal_label
      FROM   ${s}.wrds_transcript_detail AS d
      ${callInfoJoin('d.keydevid', ctx)}
      WHERE  d.keydeveventtypeid = ${EARNINGS_CALL_TYPE}
        AND  d.mostimportantdateutc BETWEEN $1::date AND $2::date
        AND  ($3::bigint[] IS NULL OR d.companyid = ANY ($3::bigint[]))
    )`;
  }
  return `candidate AS (
      SELECT x.objectid::bigint                  AS company_id,
             co.companyname                      AS company_name,
             t.keydevid::bigint                  AS event_id,
             t.transcriptid::bigint              AS transcript_id,
             e.headline                          AS headline,
             e.mostimportantdateutc::date        AS call_date,
             e.mostimportantdateutc::time        AS call_time,
             ct.transcriptcollectiontypename     AS collection_type,
             pt.transcriptpresentationtypename   AS presentation_type,
             t.transcriptpresentationtypeid = ${FINAL_PRESENTATION_TYPE} AS is_final,
             t.transcriptcreationdateutc::timestamp AS created_utc,
             ${fiscalLabel('e.headline', ctx)}   AS fiscal_label
      FROM   ${s}.ciqtranscript AS t
      JOIN   ${s}.ciqevent AS e ON e.keydevid = t.keydevid
      JOIN   ${s}.ciqeventtoobjecttoeventtype AS x
             ON x.keydevid = t.keydevid AND x.keydeveventtypeid = ${EARNINGS_CALL_TYPE}
      LEFT JOIN ${s}.ciqcompany AS co ON co.companyid = x.objectid
      LEFT JOIN ${s}.ciqtranscriptcollectiontype AS ct
             ON ct.transcriptcollectiontypeid = t.transcriptcollectiontypeid
      LEFT JOIN ${s}.ciqtranscriptpresentationtype AS pt
             ON pt.transcriptpresentationtypeid = t.transcriptpresentationtypeid
      ${callInfoJoin('t.keydevid', ctx)}
      WHERE  e.mostimportantdateutc >= $1::date AND e.mostimportantdateutc < $2::date + 1
        AND  ($3::bigint[] IS NULL OR x.objectid = ANY ($3::bigint[]))
    )`;
}

function labelledCte(ctx: SqlContext): string {
  return `WITH ${candidateCte(ctx)},
    labelled AS (SELECT * FROM candidate WHERE $4::text IS NULL OR fiscal_label = $4::text)`;
}

/**
 * One row per company: the newest Final version (creation time, then transcript id) of the company's latest
 * earnings call in the window; duplicate link rows collapse in the DISTINCT ON. `n_calls` counts the company's
 * calls with a Final version in the window, `n_firms_sharing` the companies given the same transcript.
 */
export function chosenCallsSql(ctx: SqlContext): string {
  const ticker = ctx.hasTickers
    ? `LEFT JOIN LATERAL (
         SELECT k.ticker FROM ${ctx.linksSchema}.wrds_ticker AS k
         WHERE  k.companyid = ch.company_id
           AND  (k.startdate IS NULL OR k.startdate <= ch.call_date)
           AND  (k.enddate IS NULL OR k.enddate >= ch.call_date)
         ORDER  BY k.startdate DESC NULLS LAST LIMIT 1) AS tk ON true`
    : 'LEFT JOIN LATERAL (SELECT NULL::text AS ticker) AS tk ON true';
  return `${labelledCte(ctx)},
    newest_version AS (
      SELECT DISTINCT ON (company_id, event_id) *
      FROM   labelled
      WHERE  is_final
      ORDER  BY company_id, event_id, created_utc DESC NULLS LAST, transcript_id DESC
    ),
    counted AS (
      SELECT *, count(*) OVER (PARTITION BY company_id) AS n_calls FROM newest_version
    ),
    chosen AS (
      SELECT DISTINCT ON (company_id) *
      FROM   counted
      ORDER  BY company_id, call_date DESC, call_time DESC NULLS LAST, event_id DESC
    )
    SELECT ch.company_id::text                         AS firm_id,
           ch.company_name                             AS company_name,
           tk.ticker::text                             AS ticker,
           ch.event_id::text                           AS event_id,
           ch.transcript_id::text                      AS transcript_id,
           ch.headline                                 AS headline,
           to_char(ch.call_date, 'YYYY-MM-DD')         AS call_date,
           ch.fiscal_label                             AS fiscal_label,
           ch.collection_type                          AS collection_type,
           ch.n_calls::int                             AS n_calls,
           (count(*) OVER (PARTITION BY ch.transcript_id))::int AS n_firms_sharing
    FROM   chosen AS ch
    ${ticker}
    ORDER  BY ch.company_id`;
}

/** Companies with an earnings call in the window but no Final transcript of any of them (spec §6.2). */
export function callsWithoutFinalSql(ctx: SqlContext): string {
  return `${labelledCte(ctx)}
    SELECT company_id::text                            AS firm_id,
           count(DISTINCT event_id)::int               AS n_calls,
           count(*)::int                               AS n_versions,
           to_char(max(call_date), 'YYYY-MM-DD')       AS last_call_date,
           string_agg(DISTINCT COALESCE(presentation_type, '(no type)'), ', ') AS presentation_types
    FROM   labelled
    GROUP  BY company_id
    HAVING NOT bool_or(is_final)
    ORDER  BY company_id`;
}

/**
 * Components of the given transcripts ($1 bigint[]), in the order of the array, then by component order with
 * the component id as tie-break. A transcript listed twice (shared by two firms) is returned twice. Person
 * data is joined on the component (view) or person id (base), never on the transcript, so rows never fan out.
 */
export function componentsSql(ctx: SqlContext): string {
  const s = ctx.schema;
  const people =
    ctx.readPath === 'views'
      ? `LEFT JOIN ${s}.wrds_transcript_person AS p ON p.transcriptcomponentid = c.transcriptcomponentid`
      : `LEFT JOIN ${s}.ciqtranscriptcomponenttype AS ty
                ON ty.transcriptcomponenttypeid = c.transcriptcomponenttypeid
         LEFT JOIN ${s}.ciqtranscriptperson AS p ON p.transcriptpersonid = c.transcriptpersonid
         LEFT JOIN ${s}.ciqtranscriptspeakertype AS st ON st.speakertypeid = p.speakertypeid`;
  const typeName =
    ctx.readPath === 'views' ? 'p.transcriptcomponenttypename' : 'ty.transcriptcomponenttypename';
  const speakerType = ctx.readPath === 'views' ? 'p.speakertypename' : 'st.speakertypename';
  return `SELECT w.pos::int                              AS pos,
           c.transcriptid::bigint::text                AS transcript_id,
           c.transcriptcomponentid::bigint::text       AS component_id,
           c.componentorder::int                       AS component_order,
           c.transcriptcomponenttypeid::int            AS component_type_id,
           ${typeName}                                 AS component_type,
           c.transcriptpersonid::bigint::text          AS person_id,
           p.transcriptpersonname                      AS speaker_name,
           p.speakertypeid::int                        AS speaker_type_id,
           ${speakerType}                              AS speaker_type,
           c.componenttext::text                       AS text
    FROM   unnest($1::bigint[]) WITH ORDINALITY AS w(transcript_id, pos)
    JOIN   ${s}.ciqtranscriptcomponent AS c ON c.transcriptid = w.transcript_id
    ${people}
    ORDER  BY w.pos, c.componentorder, c.transcriptcomponentid`;
}

/** Whether a relation is visible to this login ($1 = `schema.table`). */
export const RELATION_EXISTS_SQL = 'SELECT to_regclass($1) IS NOT NULL AS present';
