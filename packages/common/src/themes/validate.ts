/** The validation rules of a theme: enough distinct firms, and no firm holding too large a share of its topics. */

export interface FirmShares {
  nFirms: number;
  /** Largest share of the topics held by one firm (0 for an empty list). */
  dominance: number;
}

export function firmShares(firmIds: readonly string[]): FirmShares {
  const counts = new Map<string, number>();
  let max = 0;
  for (const f of firmIds) {
    const c = (counts.get(f) ?? 0) + 1;
    counts.set(f, c);
    if (c > max) max = c;
  }
  return { nFirms: counts.size, dominance: firmIds.length === 0 ? 0 : max / firmIds.length };
}

export type ThemeVerdict = 'ok' | 'few-firms' | 'dominated';

export function validateTheme(
  firmIds: readonly string[],
  minFirms: number,
  maxDominance: number,
): ThemeVerdict {
  const s = firmShares(firmIds);
  if (s.nFirms < minFirms) return 'few-firms';
  if (s.dominance > maxDominance) return 'dominated';
  return 'ok';
}
