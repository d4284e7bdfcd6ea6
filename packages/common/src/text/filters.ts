/**
 * Boilerplate filters for call sentences. Each returns the name of the first filter that drops a sentence,
 * so that every firm can count what each filter removed.
 */
import { countWordTokens } from './tokens.js';

export const FILTER_NAMES = ['operator', 'safe_harbor', 'non_gaap', 'greeting', 'short'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export interface FilterOptions {
  /** Sentences with fewer word tokens are dropped (default 5). */
  minTokens: number;
}

export const DEFAULT_FILTER_OPTIONS: FilterOptions = { minTokens: 5 };

const SAFE_HARBOR = [
  /forward[- ]looking (?:statement|information|remark)/i,
  /safe[- ]harbor/i,
  /private securities litigation reform act/i,
  /(?:risks?|factors?) and uncertainties/i,
  /actual (?:results|outcomes?) (?:may|could|might) (?:differ|vary)/i,
  /undertake[s]? no (?:obligation|duty)/i,
  /(?:no|any) obligation to (?:publicly )?(?:update|revise)/i,
  /(?:10-K|10-Q|8-K)\b.*\b(?:filed|filings?|sec)\b|\b(?:filings?|filed) with the (?:sec|securities and exchange commission)/i,
  /(?:speak|are made) only as of the date/i,
  /not guarantees? of future performance/i,
];

const NON_GAAP = [
  /non-?gaap/i,
  /reconciliation(?:s)? (?:of|to|between|for)\b.*\b(?:gaap|measures?|earnings release|press release)/i,
  /\bgaap\b.*\b(?:reconcil|comparable measure|most directly comparable)/i,
  /(?:adjusted|non-gaap) (?:financial )?measures?.*(?:press release|earnings release|appendix|website)/i,
];

const GREETING_START =
  /^(?:(?:and )?(?:thank(?:s| you)|good (?:morning|afternoon|evening|day)|hi|hello|hey|welcome|great,? thank|okay,? thank|all right,? thank|yes,? thank|sure,? thank)\b)/i;

const CALL_LOGISTICS = [
  /welcome (?:you |everyone |all )?to\b/i,
  /\b(?:on|to|for|join(?:ing)?) (?:today's|this(?: morning's| afternoon's)?|our) (?:[\w-]+ ){0,4}(?:call|webcast|conference)\b/i,
  /(?:this|today's) call is being recorded/i,
  /\breplay\b/i,
  /\bwebcast\b/i,
  /please go ahead/i,
  /(?:next|final|last) question/i,
  /(?:your|the) line is (?:now )?open/i,
  /question[- ]and[- ]answer (?:session|portion)/i,
  /(?:turn|hand|pass) (?:the call|it|things|the conference) (?:back )?over/i,
  // Hand-offs and signposts of the prepared remarks (issue 27: with the releases and slides below they made a
  // theme "segment results, presentation, release" on full calls): "I'll turn our call over to Scott",
  // "turning now to slide two", "Jeremy will provide a detailed review of our results".
  /\b(?:turn|hand|pass)(?:ing)? (?:our|this|the) (?:call|time|program|floor|line|meeting|discussion)\b/i,
  /\b(?:turn(?:ing)?|mov(?:e|ing)|go(?:ing)?|refer(?:ring)?|skip(?:ping)?) (?:now |back |ahead )?(?:over )?to (?:slide|page)s? (?:\d|\w+\b)/i,
  /\b(?:will|'ll|then|now) (?:provide|give|walk|take) (?:you )?(?:through )?(?:a |an |some |more )?(?:detailed |brief |quick |short |high-level )?(?:review|overview|update|recap|summary|details?)\b/i,
  // Where the release and the slides are: "the press release and presentation are available on our website".
  /\b(?:press|earnings) release\b.*\b(?:available|posted|issued|found|website|online|investor relations)\b/i,
  /\b(?:presentation|slides?|slide deck|supplement(?:al)?)\b.*\b(?:available|posted|found)(?: for download)? (?:on|at|in|under|online)\b/i,
  /\binvestor relations (?:section|page|site|website|tab|link)\b/i,
  /(?:open (?:up )?the (?:call|line|floor)) (?:for|to) questions/i,
  /(?:concludes|conclude) (?:our|today's|the|this)/i,
  /you may (?:now )?disconnect/i,
  /(?:joining|joined) (?:me|us) (?:today|this morning|this afternoon|on the call|on today's call)/i,
  /(?:thanks?|thank you) (?:all |everyone )?(?:for|to) (?:joining|attending|being with us|your (?:questions?|time|interest|participation))/i,
];

export function boilerplateFilter(
  text: string,
  speakerRole: string,
  options: FilterOptions = DEFAULT_FILTER_OPTIONS,
): FilterName | null {
  if (speakerRole === 'operator') return 'operator';
  const nTokens = countWordTokens(text);
  if (SAFE_HARBOR.some((re) => re.test(text))) return 'safe_harbor';
  if (NON_GAAP.some((re) => re.test(text)) && nTokens <= 60) {
    // Only disclaimers about non-GAAP measures, not results stated on a non-GAAP basis.
    if (
      /(?:reconcil|press release|earnings release|website|appendix|presentation|slides?|comparable)/i.test(
        text,
      )
    ) {
      return 'non_gaap';
    }
  }
  if (nTokens <= 12 && GREETING_START.test(text.trim())) return 'greeting';
  if (nTokens <= 30 && CALL_LOGISTICS.some((re) => re.test(text))) return 'greeting';
  if (nTokens < options.minTokens) return 'short';
  return null;
}
