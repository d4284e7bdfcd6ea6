/** Quarter labels `YYYYQn` and ranges such as `2021Q1..2021Q4` or `2021Q1,2021Q3`. */

export type Quarter = string;

const QUARTER_RE = /^(\d{4})Q([1-4])$/;

export function isQuarter(value: string): boolean {
  return QUARTER_RE.test(value);
}

export function parseQuarter(value: string): { year: number; q: number } {
  const m = QUARTER_RE.exec(value.trim().toUpperCase());
  if (!m) throw new Error(`invalid quarter "${value}": expected YYYYQn, e.g. 2021Q2`);
  return { year: Number(m[1]), q: Number(m[2]) };
}

export function formatQuarter(year: number, q: number): Quarter {
  return `${year}Q${q}`;
}

export function nextQuarter(quarter: Quarter): Quarter {
  const { year, q } = parseQuarter(quarter);
  return q === 4 ? formatQuarter(year + 1, 1) : formatQuarter(year, q + 1);
}

export function previousQuarter(quarter: Quarter): Quarter {
  const { year, q } = parseQuarter(quarter);
  return q === 1 ? formatQuarter(year - 1, 4) : formatQuarter(year, q - 1);
}

/** Calendar quarter of a date (UTC). */
export function quarterOfDate(date: Date): Quarter {
  return formatQuarter(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / 3) + 1);
}

/** Expands `2021Q1..2021Q4`, `2021Q2`, or a comma list of either, in order and without duplicates. */
export function parseQuarterRange(spec: string): Quarter[] {
  const out: Quarter[] = [];
  for (const piece of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [from, to, ...rest] = piece.split('..');
    if (rest.length > 0) throw new Error(`invalid quarter range "${piece}"`);
    const a = parseQuarter(from);
    if (to === undefined) {
      out.push(formatQuarter(a.year, a.q));
      continue;
    }
    const b = parseQuarter(to);
    let cur = formatQuarter(a.year, a.q);
    const end = formatQuarter(b.year, b.q);
    if (compareQuarters(cur, end) > 0)
      throw new Error(`invalid quarter range "${piece}": start is after end`);
    for (;;) {
      out.push(cur);
      if (cur === end) break;
      cur = nextQuarter(cur);
    }
  }
  if (out.length === 0) throw new Error(`invalid quarter range "${spec}": no quarters`);
  return [...new Set(out)];
}

export function compareQuarters(a: Quarter, b: Quarter): number {
  const x = parseQuarter(a);
  const y = parseQuarter(b);
  return x.year - y.year || x.q - y.q;
}
