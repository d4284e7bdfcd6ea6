/**
 * A quarter's themes are degenerate when the theme model collapsed: one theme holds an outsized share of the
 * quarter's topics, or a quarter large enough for many themes got only a handful. The theme worker warns and
 * its record says so (issue 29: a collapse must never pass silently). The limits sit well outside what healthy
 * quarters give (largest theme ≤ 10 % of topics and dozens of themes on ECTSum's ≥ 100-firm quarters, ≤ 21 % on its 20–60-firm ones;
 * BENCHMARKS.md "Theme stability across seeds"). Quarters under DEGENERATE_MIN_TOPICS topics (a handful of
 * firms) are not judged: a few broad themes is all they can give.
 */

/** Largest share of the quarter's topics one theme may hold. */
export const DEGENERATE_MAX_SHARE = 0.25;
/** Fewest themes a judged quarter should get. */
export const DEGENERATE_MIN_THEMES = 5;
/** Smallest quarter (in topics) the rules judge. */
export const DEGENERATE_MIN_TOPICS = 200;

/** The reason a quarter's themes look degenerate, or null. `largest` is the largest theme's topic count. */
export function degenerateReason(topics: number, themes: number, largest: number): string | null {
  if (topics < DEGENERATE_MIN_TOPICS) return null;
  const share = largest / topics;
  if (share > DEGENERATE_MAX_SHARE)
    return `one theme holds ${(100 * share).toFixed(0)}% of the quarter's ${topics} topics (limit ${100 * DEGENERATE_MAX_SHARE}%)`;
  if (themes < DEGENERATE_MIN_THEMES)
    return `only ${themes} theme(s) from ${topics} topics (expected at least ${DEGENERATE_MIN_THEMES})`;
  return null;
}
