/**
 * The rows the Capital IQ tests load: real call texts from ../shared/data/motley-fool-json as components, and
 * the traps of spec §10–§11, each with a company of its own. All in calendar quarter 2021Q2 unless noted.
 */
import { readdirSync } from 'node:fs';
import { MotleyJsonSource } from '../../src/sources/motley-json.js';
import type { Transcript } from '../../src/sources/types.js';
import {
  type CapiqFixture,
  COLLECTION,
  type ComponentSpec,
  FINAL,
  PRELIMINARY,
  SPEAKER,
  TYPE,
} from './capiq-fixture.js';

export interface MotleyCall {
  file: string;
  companyId: number;
  ticker: string;
  /** Fiscal label from the file name, e.g. 2021Q1. */
  fiscal: string;
  callDate: string;
  transcriptId: number;
  /** Id of an older Final version of the same call, when one was added. */
  olderVersionId: number | null;
  parsed: Transcript;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function headlineDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${MONTHS[Number(m) - 1]} ${d}, ${y}`;
}

function addDays(iso: string, days: number): string {
  const t = new Date(`${iso}T00:00:00Z`).getTime() + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** Motley files `TICKER_qN_YYYY.json` of the given fiscal quarters, sorted, at most `limitPerQuarter` each. */
export function motleyFiles(dir: string, fiscalQuarters: string[], limitPerQuarter: number): string[] {
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return fiscalQuarters.flatMap((fq) => {
    const [y, q] = fq.split('Q');
    return all.filter((f) => f.endsWith(`_q${q}_${y}.json`)).slice(0, limitPerQuarter);
  });
}

/**
 * One company per ticker, one earnings call per file: the call falls 20–59 days after the end of the file's
 * fiscal quarter (so fiscal 2021Q1 calls are in calendar 2021Q2). Every `olderVersionEvery`-th call also has
 * an older Final (Edited) version holding only its first two components. `sameQuarter` puts every call in
 * 2021Q2 whatever its fiscal label, and makes one company per file (for benchmarks).
 */
export async function addMotleyCalls(
  fx: CapiqFixture,
  dir: string,
  files: string[],
  o: { companyIdBase: number; olderVersionEvery?: number; sameQuarter?: boolean },
): Promise<MotleyCall[]> {
  const source = new MotleyJsonSource(dir);
  const companyOf = new Map<string, number>();
  const out: MotleyCall[] = [];
  for (const [k, file] of files.entries()) {
    const m = /^(.+)_q([1-4])_(\d{4})\.json$/.exec(file);
    if (!m) throw new Error(`unexpected file name ${file}`);
    const [, ticker, q, year] = m;
    const fiscal = `${year}Q${q}`;
    let parsed: Transcript | null = null;
    for await (const r of source.fetchTranscripts(fiscal, [ticker])) if (r.ok) parsed = r.transcript;
    if (!parsed) continue;
    const key = o.sameQuarter ? file : ticker;
    let companyId = companyOf.get(key);
    const name = `${ticker} Holdings Inc.`;
    if (companyId === undefined) {
      companyId = o.companyIdBase + companyOf.size;
      companyOf.set(key, companyId);
      fx.company(companyId, name, o.sameQuarter ? `${ticker}${k}` : ticker);
    }
    const quarterEnd = o.sameQuarter
      ? '2021-03-31'
      : new Date(Date.UTC(Number(year), Number(q) * 3, 0)).toISOString().slice(0, 10);
    const callDate = addDays(quarterEnd, 20 + (k % 40));
    const eventId = fx.event({
      companyIds: [companyId],
      type: 48,
      at: `${callDate} 13:30:00`,
      // Some headlines write the fiscal year as "FY2021"; both forms give the label YYYYQn.
      headline: `${name}, Q${q} ${k % 7 === 3 ? 'FY' : ''}${year} Earnings Call, ${headlineDate(callDate)}`,
    });
    const components = fx.componentsFrom({ ...parsed, firmName: name });
    let olderVersionId: number | null = null;
    if (o.olderVersionEvery && k % o.olderVersionEvery === 0)
      olderVersionId = fx.transcript({
        eventId,
        presentation: FINAL,
        collection: COLLECTION.edited,
        created: `${addDays(callDate, 1)} 08:00:00`,
        components: components.slice(0, 2),
      });
    const transcriptId = fx.transcript({
      eventId,
      presentation: FINAL,
      collection: COLLECTION.proofed,
      created: `${addDays(callDate, 2)} 08:00:00`,
      components,
    });
    out.push({ file, companyId, ticker, fiscal, callDate, transcriptId, olderVersionId, parsed });
  }
  return out;
}

export const TRAP = {
  elan: 900001,
  sharedParent: 900002,
  sharedChild: 900003,
  preliminaryOnly: 900004,
  noComponents: 900005,
  allBlank: 900006,
  injectionName: 900007,
  fiscalAhead: 900008,
  halfYear: 900009,
  nonEarningsOnly: 900010,
  versionTimes: 900011,
  latestWithoutFinal: 900012,
} as const;

export const INJECTION_NAME = "Robert'); DROP TABLE ciq_transcripts.ciqcompany;-- Inc.";

export interface TrapIds {
  elanFinal: number;
  elanEdited: number;
  elanPreliminary: number;
  elanEarlierCall: number;
  elanNextQuarter: number;
  shared: number;
  noComponents: number;
  allBlank: number;
  injectionName: number;
  fiscalAhead: number;
  halfYear: number;
  versionNewestCreated: number;
  versionHigherId: number;
  latestWithFinal: number;
}

const simple = (who: number, text: string): ComponentSpec[] => [
  { type: TYPE.presentationOperator, personId: 1, text: 'Good day and welcome to the call.' },
  { type: TYPE.presenterSpeech, personId: who, text },
];

/** The hand-made traps (spec §11). Returns the transcript ids the tests look for. */
export function addTraps(fx: CapiqFixture): TrapIds {
  const final = (
    eventId: number,
    created: string,
    components: ComponentSpec[],
    collection: number = COLLECTION.proofed,
  ) => fx.transcript({ eventId, presentation: FINAL, collection, created, components });
  /** One event of one company, with one Final transcript. */
  const finalCall = (
    companyId: number,
    event: { type: number; at: string; headline: string; fiscal?: [number, number] },
    created: string,
    components: ComponentSpec[],
  ) => final(fx.event({ companyIds: [companyId], ...event }), created, components);

  // Élan: three versions of one call, an earlier call in the window, one after it, and two non-earnings events
  // later in the window (either would be "the latest call" without the event-type filter).
  fx.company(TRAP.elan, 'Élan Trap Holdings, Inc.', null);
  fx.ticker(TRAP.elan, 'ELNO', '2010-01-01', '2020-12-31');
  fx.ticker(TRAP.elan, 'ELAN', '2021-01-01', null);
  const ir = fx.person('Jane Roe', 'Élan Trap Holdings, Inc.', SPEAKER.executives);
  const ceo = fx.person('José Müller', 'Élan Trap Holdings, Inc.', SPEAKER.executives);
  const cfo = fx.person('Ann Lee', 'Élan Trap Holdings, Inc.', SPEAKER.executives);
  const unknownAnalyst = fx.person('Unknown Analyst', null, SPEAKER.analysts);
  const holder = fx.person('Pat Shareholder', null, SPEAKER.shareholders);
  const call = fx.event({
    companyIds: [TRAP.elan],
    type: 48,
    at: '2021-05-10 21:30:00',
    headline: 'Élan Trap Holdings, Inc., Q1 2021 Earnings Call, May 10, 2021',
    duplicateLinks: 2,
  });
  const elanPreliminary = fx.transcript({
    eventId: call,
    presentation: PRELIMINARY,
    collection: COLLECTION.spellchecked,
    created: '2021-05-10 23:00:00',
    components: simple(ceo, 'Preliminary copy: revenue grew.'),
  });
  const elanEdited = final(
    call,
    '2021-05-11 09:00:00',
    simple(ceo, 'Edited copy: revenue grew.'),
    COLLECTION.edited,
  );
  const elanFinal = final(call, '2021-05-12 10:00:00', [
    {
      type: TYPE.presentationOperator,
      personId: 1,
      text:
        'Good day and welcome to the Élan Trap Holdings first quarter 2021 earnings call. [Operator Instructions] ' +
        'I would now like to turn the call over to Jane Roe, Head of Investor Relations.',
    },
    {
      type: TYPE.presenterSpeech,
      personId: ir,
      text:
        'Thank you. Before we begin, please note that today’s remarks include forward-looking statements within the ' +
        'meaning of the Private Securities Litigation Reform Act of 1995. Actual results may differ materially.',
    },
    {
      type: TYPE.presenterSpeech,
      personId: ceo,
      text:
        'Thanks, Jane. Revenue grew 12% to €1.2 billion — our best quarter ever.\n' +
        'We opened the new café in Zürich,\u00a0and our customers’ response was strong.',
    },
    { type: TYPE.presenterSpeech, personId: ceo, text: 'Margins widened in every region we serve and' },
    { type: TYPE.presenterSpeech, personId: ceo, text: 'we expect that trend to continue through the year.' },
    {
      type: TYPE.qaOperator,
      personId: 1,
      text: '[Operator Instructions] Your first question comes from the line of Unknown Analyst of Big Broker.',
    },
    {
      type: TYPE.question,
      personId: unknownAnalyst,
      text: 'How sustainable is the margin expansion in Europe?',
      order: 7,
    },
    { type: TYPE.answer, personId: ceo, text: 'We think it is durable.', order: 8 },
    { type: TYPE.answer, personId: ceo, text: 'Pricing held up well in every market.', order: 9 },
    { type: TYPE.answer, personId: cfo, text: 'I would add that our costs fell as well.', order: 10 },
    {
      type: TYPE.answer,
      personId: 99_999,
      text: 'Let me follow up on the cost point you raised.',
      order: 11,
    },
    { type: TYPE.answer, personId: cfo, text: '   ', order: 12 },
    {
      type: TYPE.question,
      personId: holder,
      text: 'As a shareholder, when will the dividend rise?',
      order: 13,
    },
    { type: 9, personId: cfo, text: 'Our next investor day will be held in Boston in September.', order: 14 },
  ]);
  const earlier = fx.event({
    companyIds: [TRAP.elan],
    type: 48,
    at: '2021-04-05 14:00:00',
    headline: 'Élan Trap Holdings, Inc., Q4 2020 Earnings Call, Apr 05, 2021',
  });
  const elanEarlierCall = final(earlier, '2021-04-06 10:00:00', simple(ceo, 'The fourth quarter was fine.'));
  const next = fx.event({
    companyIds: [TRAP.elan],
    type: 48,
    at: '2021-07-20 14:00:00',
    headline: 'Élan Trap Holdings, Inc., Q2 2021 Earnings Call, Jul 20, 2021',
  });
  const elanNextQuarter = final(next, '2021-07-21 10:00:00', simple(ceo, 'The second quarter was strong.'));
  for (const [type, day] of [
    [55, '2021-06-01'],
    [51, '2021-06-15'],
  ] as const) {
    const ev = fx.event({
      companyIds: [TRAP.elan],
      type,
      at: `${day} 14:00:00`,
      headline: `Élan Trap Holdings, Inc., event of type ${type}`,
    });
    final(ev, `${day} 18:00:00`, simple(ceo, `This is not an earnings call (type ${type}).`));
  }

  // One call, one transcript, two companies.
  fx.company(TRAP.sharedParent, 'Shared Parent Corp.', 'SHRP');
  fx.company(TRAP.sharedChild, 'Shared Listed Subsidiary Ltd', 'SHRS');
  const sharedCeo = fx.person('Kim Park', 'Shared Parent Corp.', SPEAKER.executives);
  const sharedEvent = fx.event({
    companyIds: [TRAP.sharedParent, TRAP.sharedChild],
    type: 48,
    at: '2021-05-20 12:00:00',
    headline: 'Shared Parent Corp., Q1 2021 Earnings Call, May 20, 2021',
  });
  const shared = final(sharedEvent, '2021-05-21 10:00:00', [
    ...simple(sharedCeo, 'Both the parent and the listed subsidiary grew their sales this quarter.'),
    { type: TYPE.qaOperator, personId: 1, text: 'There are no questions at this time.' },
  ]);

  // A call with only a Preliminary version.
  fx.company(TRAP.preliminaryOnly, 'Preliminary Only Inc.', 'PREL');
  const prelimEvent = fx.event({
    companyIds: [TRAP.preliminaryOnly],
    type: 48,
    at: '2021-06-28 14:00:00',
    headline: 'Preliminary Only Inc., Q1 2021 Earnings Call, Jun 28, 2021',
  });
  fx.transcript({
    eventId: prelimEvent,
    presentation: PRELIMINARY,
    collection: COLLECTION.spellchecked,
    created: '2021-06-28 20:00:00',
    components: simple(sharedCeo, 'Only a preliminary copy exists.'),
  });

  // Metadata without components; components that are all blank.
  fx.company(TRAP.noComponents, 'Empty Components Co.', 'EMPT');
  const noComponents = finalCall(
    TRAP.noComponents,
    {
      type: 48,
      at: '2021-05-03 14:00:00',
      headline: 'Empty Components Co., Q1 2021 Earnings Call, May 03, 2021',
    },
    '2021-05-04 10:00:00',
    [],
  );
  fx.company(TRAP.allBlank, 'Blank Text Corp.', 'BLNK');
  const allBlank = finalCall(
    TRAP.allBlank,
    {
      type: 48,
      at: '2021-05-04 14:00:00',
      headline: 'Blank Text Corp., Q1 2021 Earnings Call, May 04, 2021',
    },
    '2021-05-05 10:00:00',
    [
      { type: TYPE.presentationOperator, personId: 1, text: '' },
      { type: TYPE.presenterSpeech, personId: sharedCeo, text: null },
    ],
  );

  // A company name that looks like SQL.
  fx.company(TRAP.injectionName, INJECTION_NAME, 'BOBBY');
  const injectionName = finalCall(
    TRAP.injectionName,
    {
      type: 48,
      at: '2021-05-06 14:00:00',
      headline: `${INJECTION_NAME}, Q1 2021 Earnings Call, May 06, 2021`,
    },
    '2021-05-07 10:00:00',
    simple(sharedCeo, 'Our name is unusual but our results were ordinary.'),
  );

  // Fiscal year ahead of the calendar (Walmart's FY2022 Q1 call was on 2021-05-18).
  fx.company(TRAP.fiscalAhead, 'Fiscal Ahead Retail Trap', 'FAHD');
  const fiscalAhead = finalCall(
    TRAP.fiscalAhead,
    {
      type: 48,
      at: '2021-05-18 12:00:00',
      headline: 'Fiscal Ahead Retail Trap, Q1 2022 Earnings Call, May 18, 2021',
    },
    '2021-05-19 10:00:00',
    simple(sharedCeo, 'Our fiscal year 2022 started in February.'),
  );

  // Half-year headline: the fiscal label comes from ciqeventcallbasicinfo. 23:30 UTC on the last day.
  // Its only ticker row ended before the call: no ticker.
  fx.company(TRAP.halfYear, 'Half Year Reporter plc', null);
  fx.ticker(TRAP.halfYear, 'HALF', '2015-01-01', '2021-02-28');
  const halfYear = finalCall(
    TRAP.halfYear,
    {
      type: 48,
      at: '2021-06-30 23:30:00',
      headline: 'Half Year Reporter plc, H1 2021 Earnings Call, Jun 30, 2021',
      fiscal: [2021, 2],
    },
    '2021-07-01 10:00:00',
    simple(sharedCeo, 'The first half went to plan.'),
  );

  // Only a non-earnings event in the window.
  fx.company(TRAP.nonEarningsOnly, 'Conference Only Corp.', 'CONF');
  finalCall(
    TRAP.nonEarningsOnly,
    {
      type: 51,
      at: '2021-05-25 14:00:00',
      headline: 'Conference Only Corp., Presentation at a Conference, May 25, 2021',
    },
    '2021-05-25 20:00:00',
    simple(sharedCeo, 'A conference talk, not an earnings call.'),
  );

  // Two Final versions where the one created later has the lower transcript id.
  fx.company(TRAP.versionTimes, 'Version Times Corp.', 'VTIM');
  const vEvent = fx.event({
    companyIds: [TRAP.versionTimes],
    type: 48,
    at: '2021-05-12 14:00:00',
    headline: 'Version Times Corp., Q1 2021 Earnings Call, May 12, 2021',
  });
  const versionNewestCreated = final(
    vEvent,
    '2021-05-14 10:00:00',
    simple(sharedCeo, 'Newest version by time.'),
  );
  const versionHigherId = final(
    vEvent,
    '2021-05-13 10:00:00',
    simple(sharedCeo, 'Older version, higher id.'),
  );

  // The latest call has no Final yet: the earlier call with a Final is used.
  fx.company(TRAP.latestWithoutFinal, 'Latest Without Final Inc.', 'LWOF');
  const latestWithFinal = finalCall(
    TRAP.latestWithoutFinal,
    {
      type: 48,
      at: '2021-04-22 14:00:00',
      headline: 'Latest Without Final Inc., Q4 2020 Earnings Call, Apr 22, 2021',
    },
    '2021-04-23 10:00:00',
    simple(sharedCeo, 'The call that has a final transcript.'),
  );
  fx.transcript({
    eventId: fx.event({
      companyIds: [TRAP.latestWithoutFinal],
      type: 48,
      at: '2021-06-25 14:00:00',
      headline: 'Latest Without Final Inc., Q1 2021 Earnings Call, Jun 25, 2021',
    }),
    presentation: PRELIMINARY,
    collection: COLLECTION.spellchecked,
    created: '2021-06-25 20:00:00',
    components: simple(sharedCeo, 'Preliminary copy of the latest call.'),
  });

  return {
    elanFinal,
    elanEdited,
    elanPreliminary,
    elanEarlierCall,
    elanNextQuarter,
    shared,
    noComponents,
    allBlank,
    injectionName,
    fiscalAhead,
    halfYear,
    versionNewestCreated,
    versionHigherId,
    latestWithFinal,
  };
}
