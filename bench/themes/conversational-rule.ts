/**
 * The rule that calls a theme "conversational" (issue 27), fixed before the pipeline changed and applied
 * unchanged to every quarter. A theme is a subject of the business (demand, pricing, supply chain, labour,
 * capital allocation, a product, a market); tone, stance and the mechanics of a call are not subjects.
 *
 * The rule reads only a theme's leading keywords (as the researcher reads them):
 *   - a keyword is conversational when every word of it falls in one of the word classes below, or is a
 *     speaker's first name (read from the speakers of the transcripts given with --speakers), or is a number;
 *   - a theme is conversational when at least half of its 6 leading keywords are conversational.
 * The classes are kinds of words, not theme names: stance and hedging, emotion and praise, vague discourse
 * (light verbs, placeholders, generic abstract nouns of talk), call mechanics and hand-offs (roles included),
 * calendar and time, and the team as addressee. A word that names a business thing ("demand", "labor",
 * "pricing", "employees", "seasonality", "guidance") is in no class, however often calls say it.
 *
 * Prints the quarter's largest themes (by firms, then topics) with the verdict and the words that decided it,
 * and a summary: themes, coverage (share of topics in a theme), firm-stage outlier share, conversational
 * count among the largest.
 *
 *   node --import @callthemes/common/register-source bench/themes/conversational-rule.ts --lake <lake> --quarter 2021Q2 \
 *     [--top 25] [--speakers <motley-json folder>] [--markdown]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDuckDB, queryRows, sqlString } from '@callthemes/common/lake';

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** Stance and hedging: how sure or how inclined the speaker is, about anything. */
const STANCE =
  words(`thoughts thought view views viewpoint perspective perspectives opinion opinions standpoint
confident confidence cautious cautiously optimistic optimism pessimistic pessimism comfortable comfort believe
belief beliefs feel feels felt feeling sense guess hopeful hopefully likely unlikely necessarily generally
fairly probably possibly perhaps maybe somewhat bit assume assuming certainty encouraged encouraging
bullish bearish conservative conservatively prudent prudently realistic realistically reasonable reasonably
frankly honestly candidly confident comfortable`);

/** Emotion and praise. */
const EMOTION =
  words(`excited exciting excitement proud pride thrilled pleased happy glad grateful gratitude thankful
delighted enthusiastic enthusiasm humbled honored honoured love passionate energized amazing incredible
fantastic terrific wonderful tremendous great awesome remarkable congratulations congrats appreciate
appreciation dedication commitment committed heroic inspiring`);

/**
 * Vague discourse: light verbs, placeholders and abstract nouns of talk that point at whatever the speaker
 * is talking about without naming it.
 */
const DISCOURSE =
  words(`detail details detailed important importantly couple context aspects aspect part parts case
cases things thing stuff point points example examples sort kind handle handled happened happen happening
anybody anyone somebody someone everybody everyone does did doing done do better best big side deep hard
attention stay hit looks look looking saw see seeing post dynamics dynamic environment analysis approach
positioned position move moving moved forward ahead future progress journey path way ways place shape
question questions answer answers discussion discuss topic topics issue issues matter matters picture
lot lots number kind sorts type types level levels area areas piece pieces element elements factor factors
situation backdrop landscape standpoint respect regard terms basically essentially obviously clearly
certainly really actually just pretty quite sure true right`);

/** Call mechanics and hand-offs, with the roles a hand-off names. */
const MECHANICS =
  words(`turn turning hand handing pass passing call calls conference webcast replay presentation
slides slide remarks prepared release review recap summary introduce introduction welcome join joining joined
line operator moderator host ceo cfo coo president chairman chairwoman chair chief officer executive
executives analyst analysts investor investors relations ir q&a qa`);

/** Calendar and time. */
const CALENDAR =
  words(`q1 q2 q3 q4 h1 h2 fy quarter quarters quarterly month months monthly week weeks weekly day days
daily year years yearly annual annually ytd year-to-date quarter-to-date sequential sequentially january
february march april may june july august september october november december jan feb mar apr jun jul aug
sep sept oct nov dec today tomorrow yesterday date dates period periods time times early late later earlier
first second third fourth half beginning end`);

/** The team as addressee ("our team members, I'm proud of you"); workforce words such as "employees" are not here. */
const TEAM =
  words(`team teams team members member members colleagues folks guys people everyone everybody family
families job jobs work worked working`);

export const CONVERSATIONAL_CLASSES: Readonly<Record<string, ReadonlySet<string>>> = {
  stance: new Set(STANCE),
  emotion: new Set(EMOTION),
  discourse: new Set(DISCOURSE),
  mechanics: new Set(MECHANICS),
  calendar: new Set(CALENDAR),
  team: new Set(TEAM),
};

/** The class of a single word, or null when it may name a business subject. */
export function wordClass(word: string, firstNames: ReadonlySet<string>): string | null {
  if (/^[\d.,%$-]+$/.test(word) || /^(?:19|20)\d\d$/.test(word)) return 'number';
  for (const [name, set] of Object.entries(CONVERSATIONAL_CLASSES)) if (set.has(word)) return name;
  if (firstNames.has(word)) return 'first-name';
  return null;
}

/** The classes of a keyword's words when every word has one, else null. */
export function keywordClasses(keyword: string, firstNames: ReadonlySet<string>): string[] | null {
  const classes: string[] = [];
  for (const w of keyword.split(' ')) {
    const c = wordClass(w, firstNames);
    if (c === null) return null;
    classes.push(c);
  }
  return classes;
}

export interface Verdict {
  conversational: boolean;
  /** The leading keywords that the classes cover, with their classes. */
  covered: { keyword: string; classes: string[] }[];
}

/** The rule: at least half of the `lead` leading keywords are conversational. */
export function judgeTheme(keywords: readonly string[], firstNames: ReadonlySet<string>, lead = 6): Verdict {
  const top = keywords.slice(0, lead);
  const covered = top.flatMap((k) => {
    const classes = keywordClasses(k, firstNames);
    return classes ? [{ keyword: k, classes }] : [];
  });
  return { conversational: top.length === 0 || covered.length * 2 >= top.length, covered };
}

/**
 * First names of the speakers of a folder of Motley-style JSON transcripts: the first word of every speaker
 * and participant name, lower-cased (single letters and initials left out).
 */
export function speakerFirstNames(dir: string): Set<string> {
  const out = new Set<string>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.json')) continue;
    const t = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
      prepared_remarks?: { speaker?: string }[];
      q_and_a?: { speaker?: string }[];
      participants?: string[];
    };
    const names = [
      ...(t.prepared_remarks ?? []).map((c) => c.speaker ?? ''),
      ...(t.q_and_a ?? []).map((c) => c.speaker ?? ''),
      ...(t.participants ?? []).map((p) => p.split('--')[0]),
    ];
    for (const n of names) {
      const first = n
        .trim()
        .split(/\s+/)[0]
        ?.toLowerCase()
        .replace(/[^a-z'-]/g, '');
      if (first && first.length > 1 && first !== 'operator') out.add(first);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lake: { type: 'string' },
      quarter: { type: 'string' },
      top: { type: 'string', default: '25' },
      speakers: { type: 'string' },
      markdown: { type: 'boolean', default: false },
    },
  });
  if (!values.lake || !values.quarter) {
    process.stderr.write(
      'usage: conversational-rule.ts --lake <lake> --quarter <q> [--top 25] [--speakers <dir>] [--markdown]\n',
    );
    process.exit(2);
  }
  const lake = values.lake;
  const q = values.quarter;
  const top = Number(values.top);
  const firstNames = values.speakers ? speakerFirstNames(values.speakers) : new Set<string>();
  // A first name that is also a word of a class keeps that class; one that names a business thing ("grant",
  // "chase", "mark") would count as a name, so such words are not names here.
  for (const w of [
    'grant',
    'chase',
    'mark',
    'price',
    'will',
    'bill',
    'rich',
    'sterling',
    'cash',
    'gas',
    'guy',
  ])
    firstNames.delete(w);
  const conn = await openDuckDB();
  const part = (table: string) => sqlString(`${lake}/${table}/quarter=${q}/*.parquet`);
  const themes = await queryRows(
    conn,
    `SELECT theme_id, name, n_firms, n_topics, keywords FROM read_parquet(${part('themes')})
     ORDER BY n_firms DESC, n_topics DESC, theme_id`,
  );
  const [counts] = await queryRows(
    conn,
    `SELECT (SELECT count(*) FROM read_parquet(${part('topics')})) AS topics,
            (SELECT count(*) FROM read_parquet(${part('topic_themes')})) AS themed,
            (SELECT count(*) FROM read_parquet(${part('sentences')})) AS sentences,
            (SELECT count(*) FROM read_parquet(${part('sentences')}) WHERE topic_id IS NULL) AS outliers,
            (SELECT count(*) FROM read_parquet(${part('firms')})) AS firms`,
  );
  const n = (k: string) => Number(counts[k]);
  let flagged = 0;
  const md = values.markdown;
  if (md)
    process.stdout.write(
      '| # | firms | topics | theme | leading keywords | verdict |\n|---|---|---|---|---|---|\n',
    );
  themes.slice(0, top).forEach((t, r) => {
    const keywords = [...(t.keywords as string[])];
    const v = judgeTheme(keywords, firstNames);
    if (v.conversational) flagged++;
    const why = v.covered.map((c) => `${c.keyword}:${[...new Set(c.classes)].join('+')}`).join(' ');
    if (md)
      process.stdout.write(
        `| ${r + 1} | ${t.n_firms} | ${t.n_topics} | ${t.name} | ${keywords.slice(0, 6).join(', ')} | ${v.conversational ? `**conversational** (${v.covered.length}/6)` : ''} |\n`,
      );
    else
      process.stdout.write(
        `${String(r + 1).padStart(2)} ${String(t.n_firms).padStart(4)} firms ${String(t.n_topics).padStart(4)} topics  ` +
          `${v.conversational ? 'CONV' : '    '}  ${t.name}  | ${keywords.slice(0, 6).join(', ')}  [${why}]\n`,
      );
  });
  process.stdout.write(
    `${q}: ${n('firms')} firms, ${n('topics')} topics, ${themes.length} themes, coverage ${(n('themed') / n('topics')).toFixed(3)}, ` +
      `outlier share ${(n('outliers') / n('sentences')).toFixed(3)} (${n('outliers')}/${n('sentences')} sentences), ` +
      `conversational among the ${Math.min(top, themes.length)} largest: ${flagged}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
