/**
 * Finance word lists written for this project (MIT, like the rest of the code). They adapt a general
 * valence lexicon to company reporting, the way Loughran & McDonald (2011) showed is necessary: many
 * general "sentiment" words are neutral in finance (liability, tax, gross, share, interest, casualty).
 *
 * - NEUTRAL_IN_FINANCE: words whose general valence is wrong for earnings calls; their valence is dropped.
 * - FINANCE_VALENCE: polar finance words and their valence on VADER's -4..4 scale (overrides the base).
 * - DIRECTION: up (1) and down (-1) words. A direction next to a metric scores by the metric's polarity:
 *   "costs declined" is good news, "revenue declined" bad.
 * - GOOD_METRICS / BAD_METRICS: quantities where more is better / worse for the firm.
 */

/** Whitespace-separated words → list. */
function words(text: string): readonly string[] {
  return text.split(/\s+/).filter(Boolean);
}

/** `word:value` pairs separated by whitespace → record. */
function valences(text: string): Readonly<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const item of words(text)) {
    const at = item.lastIndexOf(':');
    out[item.slice(0, at)] = Number(item.slice(at + 1));
  }
  return out;
}

/** Words whose general valence is wrong for earnings calls; their valence is dropped. */
export const NEUTRAL_IN_FINANCE = words(`
  share shares shared shareholder shareholders interest interests credit credits gross liability liabilities
  tax taxes effective effectively cost capital asset assets securities security secured unsecured fair value values amortization
  casualty accident fire strike forgiveness legal free top bottom exclusive exclude excluded excluding
  special reserve reserves premium premiums pay paid debt charge charges demand income benefit benefits
  worth wealth limited dividend dividends cash care health energy natural clean united party parties play
  hand kind original straight entertainment beauty holiday wells defense emergency solutions solution number
  certain respectively critical aggressive aggressively opportunistic alone matter matters want wants like
  likes well please thank thanks welcome hope pretty sure true truly clearly clear certainly reach reached
  reaching join allow giving create created creates creating creation approval approved agreement agreements
  commitment commitments committed dedicated focused engage engaged engagement active actively importance
  important importantly significant significantly substantial meaningful advanced prepared l mean means yeah
  ok okay god hard easy increase increased increases increasing growing lower low lows lowest lowered drop
  cut cuts lag lost higher high highest greater extend expand reduce reduced challenge challenges ready
  desire vision dynamic dynamics joke funny no yes award awards incentive incentives launched
  respect competitive stake stakes vested mandatory risk risks
`);

/** Finance-polar words and their valence on VADER's -4..4 scale (overrides the base lexicon). */
export const FINANCE_VALENCE: Readonly<Record<string, number>> = valences(`
  record:1.6 records:1.2 outperform:2 outperformed:2 outperformance:2 outpaced:1.6 beat:1.8 beats:1.6
  exceeded:2 exceeding:1.8 exceeds:1.6 surpassed:2 momentum:1.6 robust:2 resilient:1.8 resilience:1.6
  tailwind:1.6 tailwinds:1.6 accretive:1.8 upside:1.4 strong:2.2 stronger:2.2 strongest:2.4 strength:2
  strengthened:2 solid:1.8 healthy:1.8 improvement:2 improvements:2 improved:2 improve:1.4 improving:1.8
  profitable:2 expansion:1.2 expanded:1.2 upgraded:1.6 upgrade:1.2 raised:1 raising:1 winning:1.6 win:1.6
  wins:1.6 won:1.6 favorable:2 favourable:2 growth:1.4 rebound:1.6 rebounded:1.6 recovery:1.2 recovered:1.4
  recovering:1.2 success:2 successful:2 successfully:1.8 pleased:2.2 encouraged:1.8 encouraging:1.8
  confident:1.8 confidence:1.6 optimistic:1.8 excited:1.8 exciting:1.6 proud:1.8 delighted:2.2 thrilled:2.2
  gratifying:2 outstanding:2.4 excellent:2.4 exceptional:2.4 tremendous:2 terrific:2 impressive:2
  remarkable:2 accelerated:1.2 accelerating:1.2 doubled:1.6 tripled:1.8 profitability:1 efficiencies:1.2
  synergies:1.2 milestone:1.4 milestones:1.2 breakthrough:2 leadership:0.8 leading:0.6 attractive:1.4
  upbeat:1.8 boosted:1.6 surged:1.8 soared:2 jumped:1.4 climbed:1.2 expanding:1 gain:1 gains:1 profit:0.6
  profits:0.6 loss:-1.6 losses:-1.6 headwind:-1.6 headwinds:-1.6 decline:-1.4 declined:-1.4 declines:-1.4
  declining:-1.4 decreased:-1 decrease:-1 impairment:-2 impairments:-2 impaired:-2 weakness:-2 weak:-2
  weaker:-2 weakened:-2 weakening:-2 downturn:-2.2 shortfall:-2 shortfalls:-2 challenging:-1.4
  challenged:-1.4 difficult:-1.6 deteriorated:-2.2 deterioration:-2.2 deteriorating:-2.2 dilutive:-1.4
  dilution:-1.2 writedown:-2 writedowns:-2 write-down:-2 write-downs:-2 writeoff:-2 write-off:-2 layoffs:-2
  recession:-2.2 slowdown:-1.8 slowing:-1.2 slowed:-1.2 softness:-1.6 softer:-1.4 soft:-1 unfavorable:-2
  unfavourable:-2 adverse:-2 adversely:-2 disappointing:-2.4 disappointed:-2.2 disappointment:-2.2
  missed:-1.6 miss:-1.2 delays:-1.4 delay:-1.2 delayed:-1.4 disruption:-1.6 disruptions:-1.6 disrupted:-1.6
  shortage:-1.6 shortages:-1.6 constrained:-1.2 constraints:-1.2 volatility:-1 volatile:-1.2
  uncertainty:-1.2 uncertainties:-1.2 uncertain:-1.2 pandemic:-1 covid:-0.6 bankruptcy:-3 insolvency:-3
  default:-1.4 defaulted:-2.4 delinquencies:-1.6 delinquency:-1.6 downgrade:-2 downgraded:-2 plunged:-2.4
  plummeted:-2.6 slumped:-2.2 tumbled:-2.2 fell:-1.2 dropped:-1.2 worse:-2 worsened:-2.2 worsening:-2.2
  lawsuit:-1.6 litigation:-1.2 investigation:-1.2 fraud:-3 restatement:-2 termination:-1.4 terminated:-1.4
  closure:-1.2 closures:-1.2 suspended:-1.6 suspension:-1.6 inflationary:-1 inflation:-0.8 unprofitable:-2
  shrinking:-1.6 shrank:-1.6 contracted:-0.8 contraction:-1.6 erosion:-1.6 eroded:-1.6 compressed:-1.2
  compression:-1.2 warning:-1.6 warned:-1.8 cautious:-0.8 negative:-2 negatively:-2 awarded:1.2
`);

/** Direction words: 1 up, -1 down. */
export const DIRECTION: Readonly<Record<string, 1 | -1>> = valences(`
  increase:1 increased:1 increases:1 increasing:1 rise:1 rises:1 rose:1 risen:1 rising:1 grow:1 grew:1
  grown:1 grows:1 growing:1 growth:1 up:1 higher:1 high:1 improve:1 improved:1 improves:1 improving:1
  improvement:1 gain:1 gained:1 gains:1 jump:1 jumped:1 surge:1 surged:1 soar:1 soared:1 climb:1 climbed:1
  doubled:1 tripled:1 expand:1 expanded:1 expanding:1 expansion:1 accelerate:1 accelerated:1 accelerating:1
  exceed:1 exceeded:1 strengthened:1 boost:1 boosted:1 rebound:1 rebounded:1 recovered:1 raise:1 raised:1
  record:1 more:1 above:1 upward:1 additional:1 greater:1 larger:1 stronger:1 decrease:-1 decreased:-1
  decreases:-1 decreasing:-1 decline:-1 declined:-1 declines:-1 declining:-1 fall:-1 fell:-1 fallen:-1
  falling:-1 falls:-1 drop:-1 dropped:-1 drops:-1 down:-1 lower:-1 lowered:-1 low:-1 reduce:-1 reduced:-1
  reduces:-1 reducing:-1 reduction:-1 reductions:-1 shrink:-1 shrank:-1 shrinking:-1 contracted:-1
  contraction:-1 slowed:-1 slowing:-1 weakened:-1 weaker:-1 plunge:-1 plunged:-1 slump:-1 slumped:-1 dip:-1
  dipped:-1 cut:-1 cuts:-1 narrowed:-1 narrow:-1 eroded:-1 deteriorated:-1 compressed:-1 compression:-1
  worsened:-1 lost:-1 less:-1 fewer:-1 decelerated:-1 deceleration:-1 below:-1 downward:-1 tumbled:-1
  plummeted:-1 halved:-1 smaller:-1 widened:1 widen:1 lifted:1 swung:1 turned:1 returned:1 progressed:1
`) as Record<string, 1 | -1>;

/** Quantities where more is better for the firm and its investors. */
export const GOOD_METRICS = words(`
  revenue revenues sales profit profits profitability earnings income margin margins eps ebitda ebit ebita
  cash orders order bookings booking backlog demand volume volumes dividend dividends payout return returns roe roi
  roic productivity efficiency customers subscribers users members membership traffic occupancy turnover
  deliveries shipments liquidity rating ratings valuation price prices pricing stock shares share market
  comps comparable utilization retention renewals performance result results yield yields outlook guidance
  forecast estimate estimates expectations capacity production output spreads spread nim aum assets deposits
  loans premiums arr gmv wins contribution value throughput adoption penetration flow flows ffo noi rpk rask
  backlogs
`);

/** Quantities where more is worse for the firm. */
export const BAD_METRICS = words(`
  loss losses cost costs expense expenses debt leverage unemployment churn attrition impairment impairments
  charges charge writedowns delinquencies delinquency defaults chargeoffs charge-offs provisions provision
  inflation deficit layoffs headcount spending spend capex claims risk risks liabilities borrowings
  indebtedness backorders downtime headwinds headwind pressure pressures volatility uncertainty inventories
  dilution outflows outflow nonaccrual nonperforming npl npls shortfall deficits burn
`);

/**
 * Words after which a quantity is the comparison baseline, not the news ("up from a loss of", "compared to
 * a loss of"). `from` counts only right after a number or a direction word ("rose to 5m from").
 */
export const BASELINE_ANCHORS = words(`
  from versus vs compared against than
`);

/** Units and filler skipped when measuring the distance between a direction word and its metric (YEAR: a year). */
export const FILLER_WORDS = words(`
  eur usd mn m bn b million millions billion billions thousand percent pct per cent bps basis points point
  by to from the a an of in our its their was were is are has have had been be year over on and net total
  operating gross adjusted organic quarter quarterly annual sequentially approximately about nearly almost
  some roughly x q 's s YEAR
`);

/** Words that negate what follows within a short window. */
export const NEGATORS = words(`
  not no never none nothing neither nor without cannot can't won't don't doesn't didn't isn't aren't wasn't
  weren't hasn't haven't hadn't shouldn't wouldn't couldn't hardly barely lack lacked lacking absence
  unlikely
`);

/** Intensity modifiers: multiply the next scored word. */
export const BOOSTERS: Readonly<Record<string, number>> = valences(`
  very:1.3 extremely:1.5 significantly:1.3 substantially:1.3 considerably:1.3 sharply:1.4 strongly:1.3
  dramatically:1.4 markedly:1.3 meaningfully:1.2 notably:1.2 particularly:1.1 exceptionally:1.5
  remarkably:1.3 solidly:1.2 nicely:1.2 really:1.15 much:1.2 double:1.3 slightly:0.6 somewhat:0.7
  modestly:0.7 marginally:0.6 partially:0.7 partly:0.7 mildly:0.7 moderately:0.8 little:0.7 small:0.8
  slight:0.6 modest:0.7
`);

/** Clause-contrast words (see the lexicon classifier's clause weights). */
export const CONTRASTS = words(`
  but however although though yet despite offset
`);
