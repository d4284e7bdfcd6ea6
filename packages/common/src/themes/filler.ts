/**
 * Words that carry no business subject: when they carry a theme, the theme is the shared shape of an earnings
 * call rather than something the business does. A theme is a subject (demand, pricing, supply chain, labour,
 * capital allocation, a product, a market); tone is what the sentiment scores measure, and the mechanics of a
 * call, its calendar and its courtesies are in every call. Topic keywords already exclude the firm stage's
 * stop words; these are the kinds of words that survive it and still make the largest themes of full calls
 * (Q&A included) read as "thoughts, detail, important" or "move forward, confident, cautiously optimistic"
 * (issue 27, BENCHMARKS.md "Conversational themes"). Each class is a kind of word, not a theme name; a word
 * that names a business thing ("demand", "labor", "employees", "guidance", "seasonality") is in none.
 */
const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** Call mechanics and hand-offs, with the roles a hand-off names ("turn it over to our CFO"). */
const MECHANICS =
  words(`turn turning turned hand handing pass passing open opening q&a qa begin beginning cover
covered covering provide providing moment joining join joined call calls conference webcast replay website
transcript presentation presentations slides remarks question questions answer answers line ahead walk walking
highlight highlights recap summary summarize close closing conclude concludes concluding wrap hold queue prepared
morning afternoon evening listening listeners participants introduce introduction review reviewing update updates
discuss discussion hear speak speaking operator moderator ceo cfo coo president chairman chief officer executive
executives analyst analysts walked release information`);

/** Courtesies and the team as addressee ("our team members, I'm proud of you"); workforce words are not here. */
const COURTESY =
  words(`thank thanks congratulations congrats appreciate appreciated appreciation everybody folks
guys safe healthy families family team teams members colleagues people`);

/** Tone: stance, hedging and emotion. What the sentiment scores measure, not a subject. */
const TONE =
  words(`hope hopefully hopeful excited exciting excitement proud pride humbled thrilled pleased happy glad
grateful delighted enthusiastic enthusiasm passionate confident confidence cautious cautiously optimistic
optimism pessimistic comfortable comfort encouraged encouraging feels felt thoughts view views perspective
perspectives opinion standpoint necessarily fairly generally reasonably momentum extraordinary`);

/**
 * Vague discourse: placeholders and abstract nouns of talk that point at whatever is being discussed without
 * naming it ("approach", "situation", "opportunities": alone they name nothing, while "acquisition
 * opportunities" keeps a word outside the class), light verbs ("looks", "gives", "happen") and adjectives that
 * grade without naming ("big", "interesting", "consistent").
 */
const DISCOURSE =
  words(`details detail couple topics topic important context aspects aspect part parts case cases
dynamics environment doing does did done happened handle attention stay hit forward moving move look looks looked
saw gives gave given sounds happen happens happening interesting difficult tough big bigger hard quite ready place
kind sort pieces piece number numbers side sides far approach situation scenario scenarios factor factors
specifics opportunity opportunities ability challenge challenges challenging dynamic consistent detailed`);

/** Calendar words: when, not what (the firm stage already drops "q3" and "june" from topic keywords). */
const CALENDAR =
  words(`q1 q2 q3 q4 h1 h2 fy quarter quarters january february march april may june july august
september october november december week weeks month months day days year years early earlier later ago`);

export const CONVERSATIONAL_WORD_CLASSES: Readonly<Record<string, readonly string[]>> = {
  mechanics: MECHANICS,
  courtesy: COURTESY,
  tone: TONE,
  discourse: DISCOURSE,
  calendar: CALENDAR,
};

export const CALL_FILLER_WORDS: ReadonlySet<string> = new Set(
  Object.values(CONVERSATIONAL_WORD_CLASSES).flat(),
);

/** True when at least half of the leading keywords consist only of filler words. */
export function isFillerTheme(
  keywords: readonly string[],
  filler: ReadonlySet<string> = CALL_FILLER_WORDS,
  lead = 6,
): boolean {
  const top = keywords.slice(0, lead);
  if (top.length === 0) return true;
  const n = top.filter((k) => k.split(' ').every((w) => filler.has(w))).length;
  return n * 2 >= top.length;
}
