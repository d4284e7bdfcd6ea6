/** Renders query rows as an aligned text table, CSV (RFC 4180) or JSON. */

export type OutputFormat = 'table' | 'csv' | 'json';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (Array.isArray(v) || typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function formatRows(
  rows: readonly Record<string, unknown>[],
  format: OutputFormat,
  columns?: string[],
): string {
  const cols = columns ?? (rows.length > 0 ? Object.keys(rows[0]) : []);
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === 'csv') {
    const esc = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const lines = [cols.map(esc).join(',')];
    for (const r of rows) lines.push(cols.map((c) => esc(cell(r[c]))).join(','));
    return `${lines.join('\n')}\n`;
  }
  const maxWidth = 60;
  const clip = (s: string) => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const body = rows.map((r) => cols.map((c) => clip(cell(r[c]))));
  const widths = cols.map((c, i) => Math.max(c.length, ...body.map((b) => b[i].length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => (typeof rows[0]?.[cols[i]] === 'number' ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(cols), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? '' : 's'})`);
  return `${out.join('\n')}\n`;
}
