/**
 * Call mechanics and pleasantries: words that, when they carry a theme, mark it as the shared shape of an
 * earnings call ("turn it over for Q&A", "we hope you are doing well") rather than a business theme. Topic
 * keywords already exclude the firm stage's stop words; these are the ones that survive it.
 */
const WORDS = `turn turning turned hand handing open opening q&a qa begin beginning cover covered covering details
detail couple topics topic provide providing moment hope hopefully excited exciting doing proud humbled
congratulations congrats appreciate appreciated appreciation joining join joined call calls conference
webcast replay website transcript presentation presentations slides remarks question questions answer answers
line ahead walk walking highlight highlights recap summary summarize close closing conclude concludes
concluding wrap everybody folks guys safe healthy families thank thanks hold queue prepared morning afternoon
evening listening listeners participants introduce introduction review reviewing update updates discuss
discussion hear speak speaking`;

export const CALL_FILLER_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter(Boolean));

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
