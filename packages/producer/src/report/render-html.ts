/**
 * One self-contained HTML file: the explorer's script and styles, Chart.js (MIT, its licence header kept)
 * and the report data as JSON, all inline. A Content-Security-Policy allows only these exact scripts (by
 * hash) and no network at all, so the page works offline and text that slipped through as markup could
 * neither run nor fetch anything.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ReportData, ReportTheme } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The browser assets sit beside this module (the build copies them to dist/report/browser). */
function asset(name: string): string {
  return readFileSync(join(here, 'browser', name), 'utf8');
}

/** Chart.js's UMD bundle, which starts with its MIT licence header. */
export function chartJsSource(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/**
 * JSON that is safe as the raw text of a <script> element: no `<` can end the element or open a comment, and
 * the two line separators JSON allows but old JavaScript parsers do not are escaped too.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function assertScriptSafe(name: string, code: string): void {
  if (/<\/script|<!--/i.test(code))
    throw new Error(`${name} cannot be inlined: it contains </script or <!--`);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * How the data sits in the page: `gzip` (default) is gzip-compressed JSON as base64, which the page inflates
 * with the browser's DecompressionStream; `json` is plain JSON, readable with any text tool.
 */
export type ReportEmbedding = 'gzip' | 'json';

/** A theme as the page first reads it: no member topics yet, only the indexes of its firms (for search). */
export type ThemeSummary = Omit<ReportTheme, 'topics' | 'firmSentiment'> & { firms: number[] };
export type ThemeDetails = Pick<ReportTheme, 'topics' | 'firmSentiment'>;

/**
 * The page reads a summary at load (quarters, firms, links, themes without their members) and each theme's
 * members only when the theme is opened: its own element `theme-data-<i>`, in the order of `themes`.
 */
function splitData(data: ReportData): { summary: unknown; details: ThemeDetails[] } {
  const themes: ThemeSummary[] = [];
  const details: ThemeDetails[] = [];
  for (const { topics, firmSentiment, ...rest } of data.themes) {
    themes.push({ ...rest, firms: [...new Set(topics.map((t) => t.firm))].sort((a, b) => a - b) });
    details.push({ topics, firmSentiment });
  }
  return { summary: { ...data, themes }, details };
}

function dataElement(id: string, value: unknown, embed: ReportEmbedding): string {
  if (embed === 'json') return `<script type="application/json" id="${id}">${scriptSafeJson(value)}</script>`;
  const packed = gzipSync(JSON.stringify(value), { level: 6 }).toString('base64');
  return `<script type="application/gzip" id="${id}">${packed}</script>`;
}

/** The data a report embeds, read back from its HTML (either embedding) as the ReportData it was made from. */
export function readEmbeddedData(html: string): ReportData {
  const parts = new Map<string, unknown>();
  for (const m of html.matchAll(
    /<script type="application\/(json|gzip)" id="([a-z0-9-]+)">([^<]*)<\/script>/g,
  )) {
    const text = m[1] === 'json' ? m[3] : gunzipSync(Buffer.from(m[3], 'base64')).toString('utf8');
    parts.set(m[2], JSON.parse(text));
  }
  const summary = parts.get('report-data') as
    | (Omit<ReportData, 'themes'> & { themes: ThemeSummary[] })
    | undefined;
  if (!summary) throw new Error('no report data in this HTML');
  const themes = summary.themes.map(({ firms: _firms, ...t }, i) => {
    const d = parts.get(`theme-data-${i}`) as ThemeDetails | undefined;
    if (!d) throw new Error(`no members for theme ${t.id} in this HTML`);
    return { ...t, topics: d.topics, firmSentiment: d.firmSentiment };
  });
  return { ...summary, themes };
}

function dataElements(data: ReportData, embed: ReportEmbedding): string {
  const { summary, details } = splitData(data);
  const out = [dataElement('report-data', summary, embed)];
  details.forEach((d, i) => {
    out.push(dataElement(`theme-data-${i}`, d, embed));
  });
  return out.join('\n');
}

export function renderReportHtml(data: ReportData, embed: ReportEmbedding = 'gzip'): string {
  const chart = chartJsSource();
  const app = asset('explorer.js');
  const css = asset('explorer.css');
  assertScriptSafe('chart.js', chart);
  assertScriptSafe('explorer.js', app);
  if (/<\/style/i.test(css)) throw new Error('explorer.css cannot be inlined: it contains </style');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(chart)} ${sha256(app)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="callthemes report">
<title>${escapeHtml(data.title)}</title>
<style>${css}</style>
</head>
<body>
<div id="app"></div>
${dataElements(data, embed)}
<script>${chart}</script>
<script>${app}</script>
</body>
</html>
`;
}
