/**
 * Debian's Chromium (CALLTHEMES_CHROMIUM, default /usr/bin/chromium), headless, driven by playwright-core: a fresh
 * profile per launch, no network services, and a record of every request, console error and page error of the
 * pages it opens.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { skipIf } from './paths.js';

export const CHROMIUM = process.env.CALLTHEMES_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Skips (with the reason) when the browser is not installed. */
export function needsChromium(): { skip?: boolean } {
  return skipIf(!existsSync(CHROMIUM) && `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
}

export interface WatchedPage {
  page: Page;
  /** Every request the page made, by URL. */
  requests: string[];
  /** Console messages of type error, and uncaught page errors. */
  errors: string[];
}

export class HeadlessChromium {
  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<HeadlessChromium> {
    const profile = mkdtempSync(join(tmpdir(), 'callthemes-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
    });
    return new HeadlessChromium(context, profile);
  }

  /** Opens a file:// URL; any other request is recorded and refused. `before` runs in the page first. */
  async open(url: string, before?: string): Promise<WatchedPage> {
    const page = await this.context.newPage();
    if (before) await page.addInitScript(before);
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url, { waitUntil: 'load' });
    return { page, requests, errors };
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Opens a file in a fresh headless Chromium, evaluates an expression in it, and closes the browser. */
export async function evaluateInFile<T>(file: string, expression: string): Promise<T> {
  const browser = await HeadlessChromium.launch();
  try {
    const { page } = await browser.open(`file://${file}`);
    return (await page.evaluate(expression)) as T;
  } finally {
    await browser.close();
  }
}
