/** The call-date window searched for a quarter under each quarter basis. */
import { parseQuarter, type Quarter } from '../../config/quarter.js';
import type { QuarterBasis } from './settings.js';

export interface CallWindow {
  /** First and last call date searched (inclusive, YYYY-MM-DD, UTC). */
  from: string;
  to: string;
  /** Fiscal label a call must carry (fiscal basis), else null. */
  fiscalLabel: string | null;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/** First day of a quarter shifted by `months` (UTC). */
function monthStart(year: number, monthIndex: number): Date {
  return new Date(Date.UTC(year, monthIndex, 1));
}

/**
 * Calendar basis: the calls dated inside the quarter. Fiscal basis: the calls labelled with the quarter, looked
 * for from 15 months before to 12 months after it — fiscal years run up to a year ahead of the calendar
 * (Walmart's FY2022 Q1 call was in May 2021), and a call comes up to a few months after its quarter.
 */
export function callWindow(quarter: Quarter, basis: QuarterBasis): CallWindow {
  const { year, q } = parseQuarter(quarter);
  const first = (q - 1) * 3;
  if (basis === 'calendar') {
    const end = new Date(monthStart(year, first + 3).getTime() - 86_400_000);
    return { from: iso(monthStart(year, first)), to: iso(end), fiscalLabel: null };
  }
  const end = new Date(monthStart(year, first + 3 + 12).getTime() - 86_400_000);
  return { from: iso(monthStart(year, first - 15)), to: iso(end), fiscalLabel: `${year}Q${q}` };
}
