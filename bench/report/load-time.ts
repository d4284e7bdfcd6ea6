/**
 * The report's size and load time in headless Chromium: a real lake's quarters, and optionally a synthetic
 * N-firm report resampled from them (scale-report-data.ts). Per page, median of --runs fresh loads:
 *   ready   = ms from navigation start until the explorer has rendered the overview (charts, lists);
 *   load    = ms until the load event (the HTML, with its embedded JSON and scripts, parsed);
 *   theme   = ms to open the largest theme's page after a click;
 *   search  = ms from typing a query to the filtered lists being drawn.
 *
 *   node --import @callthemes/common/register-source bench/report/load-time.ts --lake <lake> --quarters 2021Q1..2021Q2 --runs 5 \
 *     [--scale-firms 5000 --variants 25] [--embed gzip,json] [--out-dir <folder>]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseQuarterRange } from '@callthemes/common/config';
import { openStore } from '@callthemes/common/lake';
import { HeadlessChromium } from '@callthemes/common/testing/headless-chromium';
import type { ReportData } from '@callthemes/producer/report';
import { loadReportData, type ReportEmbedding, renderReportHtml } from '@callthemes/producer/report';
import { scaleReportData } from './scale-report-data.js';

const { values } = parseArgs({
  options: {
    lake: { type: 'string' },
    quarters: { type: 'string', default: '2021Q1..2021Q2' },
    runs: { type: 'string', default: '5' },
    'scale-firms': { type: 'string' },
    variants: { type: 'string', default: '25' },
    embed: { type: 'string', default: 'gzip,json' },
    'out-dir': { type: 'string', default: join(tmpdir(), 'callthemes-report-bench') },
  },
});
if (!values.lake) throw new Error('--lake <dir> is required');
const runs = Number(values.runs);
const outDir = values['out-dir'];
mkdirSync(outDir, { recursive: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(name: string, data: ReportData, embed: ReportEmbedding): Promise<void> {
  const t0 = performance.now();
  const html = renderReportHtml(data, embed);
  const renderMs = performance.now() - t0;
  const file = join(outDir, `${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const quarter = data.quarters.at(-1)!.quarter;
  const largest = data.themes.filter((t) => t.quarter === quarter).sort((a, b) => b.nTopics - a.nTopics)[0];
  const query = largest.keywords[0];
  const browser = await HeadlessChromium.launch();
  const ready: number[] = [];
  const load: number[] = [];
  const theme: number[] = [];
  const search: number[] = [];
  const phases: number[][] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const w = await browser.open(url);
      await w.page.waitForSelector('html[data-ready]');
      const nav = await w.page.evaluate(() => {
        const g = globalThis as unknown as {
          document: { documentElement: { dataset: { ready: string } } };
          performance: {
            getEntriesByType(t: string): { name: string; startTime: number; loadEventEnd: number }[];
          };
        };
        // No named helpers in here: tsx would wrap them in a __name() the page does not have.
        const marks = Object.fromEntries(
          g.performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]),
        );
        return {
          ready: Number(g.document.documentElement.dataset.ready),
          load: g.performance.getEntriesByType('navigation')[0].loadEventEnd,
          start: marks['report-start'],
          parse: marks['report-parsed'] - marks['report-start'],
          index: marks['report-indexed'] - marks['report-parsed'],
        };
      });
      ready.push(nav.ready);
      phases.push([nav.start, nav.parse, nav.index]);
      load.push(nav.load);
      if (i === 0) await w.page.screenshot({ path: join(outDir, `${name}.png`) });
      // In-page timings: the click (or input) and the frame after the new view is in the DOM.
      theme.push(
        await w.page.evaluate(async (id) => {
          const g = globalThis as unknown as {
            document: { querySelector(s: string): { click(): void } | null };
            performance: { now(): number };
            requestAnimationFrame(f: () => void): void;
          };
          const t = g.performance.now();
          g.document.querySelector(`#themes .vrow[data-theme="${id}"]`)!.click();
          while (!g.document.querySelector('#theme-page')) await new Promise((r) => setTimeout(r, 1));
          await new Promise<void>((r) => g.requestAnimationFrame(() => r()));
          return g.performance.now() - t;
        }, largest.id),
      );
      if (i === 0) await w.page.screenshot({ path: join(outDir, `${name}-theme.png`) });
      await w.page.evaluate(() => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = '';
      });
      await w.page.waitForSelector('#themes .vrow');
      const t0s = Date.now();
      await w.page.fill('input.search', query);
      await w.page.waitForFunction(
        (q) => (globalThis as unknown as { location: { hash: string } }).location.hash.includes(q),
        `s=${encodeURIComponent(query)}`,
      );
      await w.page.waitForSelector('#themes .vrow');
      // The page waits 120 ms after the last keystroke before filtering; that pause is not work.
      search.push(Date.now() - t0s - 120);
      if (w.errors.length || w.requests.length !== 1)
        throw new Error(`page errors or requests: ${w.errors} ${w.requests}`);
      await w.page.close();
    }
  } finally {
    await browser.close();
  }
  const topics = data.themes.reduce((a, t) => a + t.topics.length, 0);
  console.log(
    `${name} (${embed}): ${data.firms.length} firms, ${data.themes.length} themes, ${topics} themed topics, ` +
      `${(Buffer.byteLength(html) / 2 ** 20).toFixed(2)} MiB; html built in ${renderMs.toFixed(0)} ms`,
  );
  console.log(
    `  median of ${runs}: ready ${median(ready).toFixed(0)} ms, load event ${median(load).toFixed(0)} ms, ` +
      `theme page (${largest.nTopics} topics, ${largest.nFirms} firms) ${median(theme).toFixed(0)} ms, ` +
      `search ${median(search).toFixed(0)} ms   [ready: ${ready.map((x) => x.toFixed(0)).join(', ')}]`,
  );
  const phase = (k: number) => median(phases.map((p) => p[k])).toFixed(0);
  console.log(
    `  of which: HTML and Chart.js parsed by ${phase(0)} ms, JSON.parse ${phase(1)} ms, indexes ${phase(2)} ms`,
  );
  console.log(`  file ${file}, screenshot ${join(outDir, `${name}.png`)}`);
}

const quarters = parseQuarterRange(values.quarters);
const t0 = performance.now();
const real = await loadReportData({ store: openStore(values.lake), quarters });
console.log(`lake → report data: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const embeddings = values.embed.split(',') as ReportEmbedding[];
for (const embed of embeddings) await measure(`real-${embed}`, real, embed);
if (values['scale-firms']) {
  const synthetic = scaleReportData(real, {
    firms: Number(values['scale-firms']),
    variants: Number(values.variants),
  });
  for (const embed of embeddings)
    await measure(`synthetic-${values['scale-firms']}-${embed}`, synthetic, embed);
}
