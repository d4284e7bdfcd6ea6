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
import type { ReportData } from './types.js';

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

export function renderReportHtml(data: ReportData): string {
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
<script type="application/json" id="report-data">${scriptSafeJson(data)}</script>
<script>${chart}</script>
<script>${app}</script>
</body>
</html>
`;
}
