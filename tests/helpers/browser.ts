/**
 * Debian's Chromium driven by playwright-core, for the frontend's tests:
 * the browser, a person's signed-in page at a given width, screenshots
 * kept in `screenshots/` (CI keeps them), and axe-core's serious findings.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Person } from '../../testkit/fixtures';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, '..', '..', '..', 'screenshots');

export const DESKTOP = { width: 1100, height: 900 };
export const PHONE = { width: 390, height: 844 };

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

/** Why a browser suite is not run (reported as a skipped test, so the runner counts it). */
export const CHROMIUM_SKIP = `${CHROMIUM} not found; apt-get install chromium`;

/** `executablePath`: another way to start the same Chromium (inside a network namespace, say). */
export async function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A browser context of its own for `person` (their session cookie, nothing
 * shared with anyone else's), its page open at the app. Any request that
 * would leave the app's origin fails the test that made it.
 */
export async function personPage(
  browser: Browser,
  url: string,
  person: Person,
  viewport = DESKTOP,
  locale = 'en-US',
  hasTouch = false,
): Promise<{ context: BrowserContext; page: Page; offOrigin: string[] }> {
  const context = await browser.newContext({ viewport, locale, hasTouch });
  const [name, value] = (person.client.cookie ?? '').split('=');
  await context.addCookies([{ name, value, url }]);
  const offOrigin: string[] = [];
  const origin = new URL(url).origin;
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (new URL(target).origin === origin) return route.continue();
    offOrigin.push(target);
    return route.abort();
  });
  const page = await context.newPage();
  await page.goto(url);
  return { context, page, offOrigin };
}

export function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** What axe-core finds serious or critical on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { source } = await import('axe-core');
  await page.evaluate(source);
  const found = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as { id: string; impact: string | null; help: string; nodes: { target: unknown }[] }[];
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    );
}

/** The page's width: nothing may make a phone scroll sideways. */
export async function scrollWidth(page: Page): Promise<number> {
  return Number(await page.evaluate('document.documentElement.scrollWidth'));
}
