/** File stems `TICKER_qN_YYYY` name a call by ticker and fiscal quarter label. */
import { formatQuarter, type Quarter } from '../config/quarter.js';

const STEM_RE = /^([A-Za-z0-9.\-&]+)_q([1-4])_(\d{4})$/i;

export interface StemInfo {
  ticker: string;
  quarter: Quarter;
}

export function parseStem(stem: string): StemInfo | null {
  const m = STEM_RE.exec(stem);
  if (!m) return null;
  return { ticker: m[1].toUpperCase(), quarter: formatQuarter(Number(m[3]), Number(m[2])) };
}
