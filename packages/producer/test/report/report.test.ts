/**
 * The HTML report on a real lake: the 30 example ECTSum firms of 2021Q1 and 2021Q2 run through the real
 * stage commands (firm-batch, themes, sentiment), then `callthemes report`, opened in Debian's headless
 * Chromium.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openStore, sqlString } from '@callthemes/common/lake';
import { LakeQuery, themeSentimentSql } from '@callthemes/common/query';
import { runCli } from '@callthemes/common/testing/cli';
import {
  HeadlessChromium,
  needsChromium,
  type WatchedPage,
} from '@callthemes/common/testing/headless-chromium';
import { EXAMPLES_ECTSUM, tempDir } from '@callthemes/common/testing/paths';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { scaleReportData } from '../../../../bench/report/scale-report-data.js';
import { readEmbeddedData, renderReportHtml } from '../../src/report/render-html.js';
import type { ReportData } from '../../src/report/types.js';

const QUARTERS = ['2021Q1', '2021Q2'];
const tmp = tempDir('callthemes-report-');
const lake = join(tmp.path, 'lake');
const out = join(tmp.path, 'report.html');

async function cli(args: string[]): Promise<string> {
  const r = await runCli(args);
  assert.equal(r.code, 0, `callthemes ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

let html: string;
let data: ReportData;

beforeAll(async () => {
  for (const quarter of QUARTERS) {
    await cli([
      'firm-batch',
      '--source',
      'ectsum',
      '--input',
      EXAMPLES_ECTSUM,
      '--quarter',
      quarter,
      '--batch',
      '0',
      '--batch-size',
      '100',
      '--lake',
      lake,
    ]);
    await cli(['themes', '--quarter', quarter, '--lake', lake]);
    await cli(['sentiment', '--quarter', quarter, '--lake', lake]);
  }
  const stdout = await cli(['report', '--quarters', '2021Q1..2021Q2', '--lake', lake, '--out', out]);
  assert.match(stdout, /themes of 2 quarter\(s\), 30 firms/);
  html = readFileSync(out, 'utf8');
  assert.match(html, /<script type="application\/gzip" id="report-data">/);
  data = readEmbeddedData(html);
});

afterAll(() => tmp.cleanup());

async function lakeRows(sql: string) {
  const q = await LakeQuery.open(openStore(lake));
  try {
    return await q.rows(sql);
  } finally {
    q.close();
  }
}

describe('report data', () => {
  test('themes, member topics and lineage match the lake', async () => {
    const themes = await lakeRows(
      `SELECT quarter, theme_id, n_topics, n_firms FROM themes WHERE quarter IN ('2021Q1', '2021Q2')`,
    );
    assert.ok(themes.length >= 2, `${themes.length} themes`);
    assert.equal(data.themes.length, themes.length);
    const byId = new Map(data.themes.map((t) => [t.id, t]));
    for (const r of themes) {
      const t = byId.get(String(r.theme_id))!;
      assert.equal(t.quarter, r.quarter);
      assert.equal(t.topics.length, Number(r.n_topics));
      assert.equal(new Set(t.topics.map((tp) => tp.firm)).size, Number(r.n_firms));
    }
    const links = await lakeRows(`SELECT count(*) AS n FROM theme_links WHERE quarter = '2021Q2'`);
    assert.ok(Number(links[0].n) > 0, 'the real stages linked 2021Q2 to 2021Q1');
    assert.equal(data.links.length, Number(links[0].n));
    assert.deepEqual(
      data.quarters.map((q) => [q.quarter, q.firms, q.themes]),
      QUARTERS.map((q) => [q, 30, themes.filter((t) => t.quarter === q).length]),
    );
  });

  test('the page holds the data exactly, in both embeddings: a summary plus one element per theme', () => {
    const ids = [...html.matchAll(/<script type="application\/gzip" id="([a-z0-9-]+)">/g)].map((m) => m[1]);
    assert.deepEqual(ids, ['report-data', ...data.themes.map((_, i) => `theme-data-${i}`)]);
    const plain = renderReportHtml(data, 'json');
    assert.deepEqual(readEmbeddedData(plain), data);
    assert.deepEqual(readEmbeddedData(renderReportHtml(data, 'gzip')), data);
    assert.ok(Buffer.byteLength(html) < Buffer.byteLength(plain), 'gzip is the smaller file');
    assert.match(html, /<script>\/\*!\n \* Chart\.js v4\.6\.1\n[^<]*Released under the MIT License/);
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/,
    );
  });

  test('the benchmark’s synthetic resample keeps counts consistent with what it copied', () => {
    const scaled = scaleReportData(data, { firms: 300, variants: 3, seed: 1 });
    assert.equal(scaled.firms.length, 300);
    const templateOf = scaled.firms.map((f) => data.firms.findIndex((r) => f.id.endsWith(`-${r.id}`)));
    assert.ok(templateOf.every((i) => i >= 0));
    for (const q of QUARTERS) {
      const realTopics = new Map<number, number>();
      for (const t of data.themes.filter((x) => x.quarter === q))
        for (const tp of t.topics) realTopics.set(tp.firm, (realTopics.get(tp.firm) ?? 0) + 1);
      const expected = templateOf.reduce((a, r) => a + (realTopics.get(r) ?? 0), 0);
      const got = scaled.themes.filter((x) => x.quarter === q).reduce((a, t) => a + t.topics.length, 0);
      assert.equal(got, expected);
    }
    for (const t of scaled.themes) {
      assert.equal(t.nTopics, t.topics.length);
      assert.equal(t.nFirms, new Set(t.topics.map((tp) => tp.firm)).size);
      assert.equal(
        t.sentiment?.total ?? 0,
        t.firmSentiment.reduce((a, f) => a + f.total, 0),
      );
    }
    const ids = new Set(scaled.themes.map((t) => t.id));
    assert.ok(scaled.links.every((l) => ids.has(l.from) && ids.has(l.to)));
  });

  test('theme sentiment is the preset’s, and firm-within-theme counts add up to it', async () => {
    for (const q of QUARTERS) {
      for (const r of await lakeRows(themeSentimentSql(q))) {
        const t = data.themes.find((x) => x.id === r.theme_id)!;
        assert.ok(t.sentiment);
        assert.equal(t.sentiment.total, Number(r.total));
        assert.equal(t.sentiment.positive, Number(r.positive));
        assert.equal(t.sentiment.score, Number(r.sentiment));
        const sum = (k: 'positive' | 'negative' | 'neutral' | 'total') =>
          t.firmSentiment.reduce((a, f) => a + f[k], 0);
        assert.equal(sum('total'), t.sentiment.total);
        assert.equal(sum('negative'), t.sentiment.negative);
        for (const f of t.firmSentiment)
          assert.ok(Math.abs(f.score - (f.positive - f.negative) / f.total) < 1e-12);
      }
    }
  });

  test('representative sentences are the topics’ first three, with their labels', async () => {
    const t = data.themes[0];
    const tp = t.topics[0];
    const rows = await lakeRows(
      `SELECT s.text, ss.label, list_position(t.representative_sentence_ids, s.sentence_id) AS pos
       FROM topics t, sentences s LEFT JOIN sentence_sentiment ss USING (sentence_id, quarter)
       WHERE t.topic_id = ${sqlString(tp.id)} AND s.quarter = t.quarter
         AND list_contains(t.representative_sentence_ids[1:3], s.sentence_id) ORDER BY pos`,
    );
    assert.equal(rows.length, 3);
    assert.equal(tp.sentences.length, 3);
    rows.forEach((r, i) => {
      const [text, label] = tp.sentences[i];
      const full = String(r.text);
      // Sentences over 400 characters are cut, ending in an ellipsis.
      assert.ok(text === full || (full.length > 400 && full.startsWith(text.slice(0, -1))), text);
      assert.equal(label, r.label);
    });
  });
});

describe('the page in headless Chromium', needsChromium(), () => {
  let browser: HeadlessChromium;
  let w: WatchedPage;
  const url = pathToFileURL(out).href;
  beforeAll(async () => {
    browser = await HeadlessChromium.launch();
    w = await browser.open(url);
    await w.page.waitForSelector('html[data-ready]');
  });
  afterAll(async () => browser?.close());

  test('loads from the one file with no other request and no console error; screenshot', async () => {
    assert.deepEqual(w.requests, [url]);
    assert.deepEqual(w.errors, []);
    assert.equal(await w.page.locator('canvas').count(), 2);
    const shot = join(tmp.path, 'report.png');
    await w.page.screenshot({ path: shot });
    const png = readFileSync(shot);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(statSync(shot).size > 20_000, 'the screenshot has content');
    const q2 = data.themes.filter((t) => t.quarter === '2021Q2');
    assert.equal(await w.page.locator('#themes .vrow').count(), q2.length);
    assert.equal(await w.page.locator('#theme-count').textContent(), `(${q2.length})`);
    // The lineage into 2021Q2: one row a link (at most 200), similarity right-aligned.
    const links = data.links.filter((l) => l.quarter === '2021Q2');
    assert.ok(links.length > 0);
    assert.equal(await w.page.locator('#lineage tbody tr').count(), Math.min(200, links.length));
    assert.deepEqual(await w.page.locator('#lineage thead th.n').allTextContents(), ['similarity']);
  });

  test('clicking a theme shows its topics grouped by firm, its firm sentiment and its lineage', async () => {
    const t = data.themes.find((x) => x.quarter === '2021Q2')!;
    await w.page.locator(`#themes .vrow[data-theme="${t.id}"]`).click();
    await w.page.waitForSelector('#theme-page');
    assert.equal(await w.page.locator('#theme-page h2').textContent(), t.name);
    assert.equal(await w.page.locator('#theme-topics .firm-group').count(), Math.min(25, t.nFirms));
    const shownTopics = await w.page
      .locator('#theme-topics .topic')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-topic')));
    const firstFirms = [...new Set(t.topics.map((tp) => tp.firm))].slice(0, 25);
    assert.deepEqual(
      new Set(shownTopics),
      new Set(t.topics.filter((tp) => firstFirms.includes(tp.firm)).map((tp) => tp.id)),
    );
    const firstSentence = t.topics[0].sentences[0][0];
    assert.ok((await w.page.locator('#theme-topics').textContent())!.includes(firstSentence));
    assert.equal(
      await w.page.locator('#firm-sentiment tbody tr').count(),
      Math.min(50, t.firmSentiment.length),
    );
    // The header row, the count columns right-aligned.
    assert.deepEqual(
      await w.page
        .locator('#firm-sentiment thead th')
        .evaluateAll((els) => els.map((e) => `${e.textContent}${e.className ? `.${e.className}` : ''}`)),
      ['firm', 'sentences.n', 'positive.n', 'negative.n', 'neutral.n', 'sentiment'],
    );
    const firmsShown = Math.min(25, t.nFirms);
    const more = w.page.locator('#theme-topics button.more');
    assert.equal(await more.isHidden(), t.nFirms <= 25);
    if (t.nFirms > 25) {
      assert.equal(await more.textContent(), `Show more firms (${t.nFirms - firmsShown} left)`);
      await more.click();
      assert.equal(await w.page.locator('#theme-topics .firm-group').count(), Math.min(50, t.nFirms));
    }
    const into = data.links.filter((l) => l.to === t.id);
    if (into.length) {
      const best = into.reduce((a, b) => (b.similarity > a.similarity ? b : a));
      assert.equal(await w.page.locator(`#theme-lineage .node a[data-theme="${best.from}"]`).count(), 1);
    }
    assert.deepEqual(w.errors, []);
  });

  test('the search filters themes and firms', async () => {
    await w.page.goto(url);
    await w.page.waitForSelector('html[data-ready]');
    const q2 = data.themes.filter((x) => x.quarter === '2021Q2');
    // A keyword of the smallest 2021Q2 theme that no other theme and no firm id mentions.
    const target = q2.at(-1)!;
    const textOf = (x: (typeof q2)[number]) =>
      `${x.name}\n${x.keywords.join(' ')}\n${x.description ?? ''}\n${x.id}`.toLowerCase();
    const word = target.keywords.find(
      (k) =>
        q2.every((x) => x === target || !textOf(x).includes(k.toLowerCase())) &&
        data.firms.every((f) => !`${f.id}\n${f.name ?? ''}`.toLowerCase().includes(k.toLowerCase())),
    );
    assert.ok(word, `a keyword only ${target.id} has`);
    await w.page.fill('input.search', word);
    await w.page.waitForFunction(
      (h) => (globalThis as unknown as { location: { hash: string } }).location.hash.includes(h),
      // The page writes its state with URLSearchParams, which encodes a space as "+" (keywords can be bigrams).
      new URLSearchParams({ s: word }).toString(),
    );
    await w.page.waitForSelector(`#themes .vrow[data-theme="${target.id}"]`);
    assert.equal(await w.page.locator('#themes .vrow').count(), 1);
    assert.equal(await w.page.locator('#firms .vrow').count(), 0);

    // A firm id: the firm is listed, and every theme holding one of its topics is shown.
    const firm = data.firms.find((f) => f.id === 'AAP')!;
    await w.page.fill('input.search', 'AAP');
    await w.page.waitForSelector('#firms .vrow[data-firm="AAP"]');
    assert.equal(await w.page.locator('#firm-count').textContent(), '(1)');
    const fi = data.firms.indexOf(firm);
    const expected = q2.filter((x) => x.topics.some((tp) => tp.firm === fi)).map((x) => x.id);
    const shown = await w.page.locator('#themes .vrow').evaluateAll((els) => els.map((e) => e.dataset.theme));
    assert.deepEqual(new Set(shown), new Set(expected));

    // Opening the firm (from the keyboard) lists its topics in every theme of both quarters.
    await w.page.locator('#firms .vrow[data-firm="AAP"]').press('Enter');
    await w.page.waitForSelector('#firm-page');
    const firmThemes = data.themes.filter((x) => x.topics.some((tp) => tp.firm === fi));
    assert.equal(await w.page.locator('.firm-group').count(), firmThemes.length);
    const firmTopics = await w.page.locator('.topic').evaluateAll((els) => els.map((e) => e.dataset.topic));
    assert.deepEqual(
      new Set(firmTopics),
      new Set(firmThemes.flatMap((x) => x.topics.filter((tp) => tp.firm === fi).map((tp) => tp.id))),
    );
    assert.ok(firmTopics.every((id) => id?.startsWith('AAP:')));
    await w.page.goBack();
    await w.page.waitForSelector('#themes');

    await w.page.fill('input.search', 'zzqx-no-such-thing');
    await w.page.waitForSelector('#themes .empty');
    assert.equal(await w.page.locator('#themes .vrow').count(), 0);
    assert.equal(await w.page.locator('#firm-count').textContent(), '(0)');
    assert.deepEqual(w.errors, []);
    assert.deepEqual(
      w.requests.filter((r) => r !== url),
      [],
    );
  });

  test('browsers without Uint8Array.fromBase64 read the gzip data through atob', async () => {
    const b = await browser.open(url, 'delete Uint8Array.fromBase64;');
    await b.page.waitForSelector('html[data-ready]');
    assert.equal(await b.page.evaluate('typeof Uint8Array.fromBase64'), 'undefined');
    const t = data.themes.find((x) => x.quarter === '2021Q2')!;
    await b.page.locator(`#themes .vrow[data-theme="${t.id}"]`).click();
    await b.page.waitForSelector('#theme-topics .topic');
    assert.equal(await b.page.locator('#theme-page h2').textContent(), t.name);
    assert.deepEqual(b.errors, []);
    await b.page.close();
  });

  test('long lists are virtual: 2,000 firms put a screenful of rows in the DOM, and scrolling draws the rest', async () => {
    const big = scaleReportData(data, { firms: 2000, variants: 40, seed: 3 });
    const file = join(tmp.path, 'big.html');
    writeFileSync(file, renderReportHtml(big));
    const bigUrl = pathToFileURL(file).href;
    const b = await browser.open(bigUrl);
    await b.page.waitForSelector('html[data-ready]');
    const firmsInQ2 = new Set(
      big.themes.filter((t) => t.quarter === '2021Q2').flatMap((t) => t.topics.map((tp) => tp.firm)),
    );
    assert.equal(
      await b.page.locator('#firm-count').textContent(),
      `(${firmsInQ2.size.toLocaleString('en-US')})`,
    );
    assert.ok(firmsInQ2.size > 1500);
    const drawn = await b.page.locator('#firms .vrow').count();
    assert.ok(drawn > 5 && drawn < 60, `${drawn} firm rows in the DOM`);
    const last = [...firmsInQ2]
      .map((i) => big.firms[i].id)
      .sort()
      .at(-1)!;
    await b.page.locator('#firms .vlist').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await b.page.waitForSelector(`#firms .vrow[data-firm="${last}"]`);
    assert.ok((await b.page.locator('#firms .vrow').count()) < 60);
    assert.deepEqual(b.requests, [bigUrl]);
    assert.deepEqual(b.errors, []);
  });

  test('text from the lake is shown as text: markup in names and sentences neither renders nor runs', async () => {
    const evil =
      '<img src="https://example.invalid/x.png" onerror="window.pwned=1"></script><script>window.pwned=2</script><!--';
    const hostile: ReportData = structuredClone(data);
    const t = hostile.themes.find((x) => x.quarter === '2021Q2')!;
    t.name = `Theme ${evil}`;
    t.keywords[0] = evil;
    t.topics[0].name = evil;
    t.topics[0].sentences[0] = [evil, 'positive'];
    hostile.firms[t.topics[0].firm].name = evil;
    hostile.title = `Report ${evil}`;
    const file = join(tmp.path, 'hostile.html');
    // The plain-JSON embedding here; the other tests load the default gzip one.
    writeFileSync(file, renderReportHtml(hostile, 'json'));
    const hostileUrl = pathToFileURL(file).href;
    const h = await browser.open(hostileUrl);
    await h.page.waitForSelector('html[data-ready]');
    assert.equal(await h.page.title(), `Report ${evil}`);
    assert.equal(
      await h.page.locator(`#themes .vrow[data-theme="${t.id}"] .name`).first().textContent(),
      `Theme ${evil} ${t.id}`,
    );
    await h.page.locator(`#themes .vrow[data-theme="${t.id}"]`).click();
    await h.page.waitForSelector('#theme-page');
    assert.ok((await h.page.locator('#theme-topics').textContent())!.includes(evil));
    assert.equal(await h.page.locator('img').count(), 0);
    // The page's own scripts: the summary, Chart.js, the explorer, and one data element per theme.
    assert.equal(await h.page.locator('script').count(), 3 + hostile.themes.length);
    assert.equal(await h.page.locator('script[type="application/json"]').count(), 1 + hostile.themes.length);
    assert.equal(await h.page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
    assert.deepEqual(h.requests, [hostileUrl]);
    assert.deepEqual(h.errors, []);
  });
});

describe('a partly run lake', needsChromium(), () => {
  test('without the sentiment stage, and with one quarter unthemed: the page says so, without errors', async () => {
    const partial = join(tmp.path, 'partial-lake');
    cpSync(lake, partial, { recursive: true });
    rmSync(join(partial, 'sentence_sentiment'), { recursive: true });
    for (const table of ['themes', 'topic_themes', 'theme_links'])
      rmSync(join(partial, table, 'quarter=2021Q1'), { recursive: true, force: true });
    const file = join(tmp.path, 'partial.html');
    const r = await runCli(['report', '--quarters', '2021Q1..2021Q2', '--lake', partial, '--out', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /no themes in the lake at .* for 2021Q1: run `callthemes themes/);
    const got = readEmbeddedData(readFileSync(file, 'utf8'));
    assert.deepEqual(
      got.themes.map((t) => t.id),
      data.themes.filter((t) => t.quarter === '2021Q2').map((t) => t.id),
    );
    assert.ok(got.themes.every((t) => t.sentiment === null && t.firmSentiment.length === 0));
    // Links live in the later quarter's partition: they stay, naming 2021Q1 themes the report does not hold.
    assert.deepEqual(
      got.links,
      data.links.filter((l) => l.quarter === '2021Q2'),
    );
    const browser = await HeadlessChromium.launch();
    try {
      const url = pathToFileURL(file).href;
      const w = await browser.open(url);
      await w.page.waitForSelector('html[data-ready]');
      assert.equal(await w.page.locator('#themes .sbar.none').count(), got.themes.length);
      await w.page.locator('#themes .vrow').first().click();
      await w.page.waitForSelector('#firm-sentiment');
      assert.match((await w.page.locator('#firm-sentiment').textContent())!, /No labelled sentences/);
      assert.match(
        (await w.page.locator('#theme-lineage').textContent())!,
        /No linked theme in the chosen quarters/,
      );
      await w.page.locator('.tabs button', { hasText: '2021Q1' }).click();
      await w.page.waitForSelector('#themes .empty');
      assert.equal(await w.page.locator('#themes .empty').textContent(), 'No themes for 2021Q1.');
      assert.deepEqual(w.errors, []);
      assert.deepEqual(w.requests, [url]);
    } finally {
      await browser.close();
    }
  });
});

describe('report command', () => {
  test('bad flags exit 2 with a reason; a lake without themes exits 1 and says why', async () => {
    const [noOut, badRange, empty] = await Promise.all([
      runCli(['report', '--quarters', '2021Q2', '--lake', lake]),
      runCli(['report', '--quarters', '2021Q5', '--lake', lake, '--out', out]),
      runCli(['report', '--quarters', '2020Q1', '--lake', lake, '--out', join(tmp.path, 'e.html')]),
    ]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /missing --out/);
    assert.equal(badRange.code, 2);
    assert.match(badRange.stderr, /invalid quarter "2021Q5"/);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no themes .* for 2020Q1: run `callthemes themes/);
  });
});
