/**
 * The web app opened from another host on the LAN, as a phone opens
 * http://192.168.x.y:4000/: Chromium in a network namespace of its own,
 * across a veth pair to the server, at an address that is not loopback.
 * Only there does Chromium follow the CSP's upgrade-insecure-requests, which
 * once had it ask for the page's own styles.css and app.js over https: an
 * unstyled "Wallet" and no app, while every loopback test passed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  CHROMIUM_SKIP,
  DESKTOP,
  PHONE,
  chromiumAvailable,
  launchChromium,
  personPage,
  screenshot,
  scrollWidth,
  seriousViolations,
} from '../helpers/browser';
import { fund, signInProvider, signUp } from '../../testkit/fixtures';
import { ciIsSet, createLan, lanUnavailable, type Lan } from '../helpers/lan';
import { startServer, stopAllServers, type TestEnvironment } from '../../testkit/server';

after(stopAllServers);

const SUITE = 'the web app from another host on the LAN';
const LAN_SKIP = lanUnavailable();

/** The server as the other host sees it (env.server.url names 127.0.0.1, where it is not listening). */
function lanUrl(lan: Lan, env: TestEnvironment): string {
  return `http://${lan.hostAddress}:${new URL(env.server.url).port}`;
}

const cspOf = async (url: string) =>
  (await fetch(`${url}/`)).headers.get('content-security-policy') ?? '';

if (!chromiumAvailable()) {
  it(SUITE, { skip: CHROMIUM_SKIP });
} else if (LAN_SKIP !== false && !ciIsSet()) {
  it(SUITE, { skip: LAN_SKIP });
} else if (LAN_SKIP !== false) {
  // In CI this is the only test of the page off loopback: not running it is a failure.
  it(SUITE, () => assert.fail(`cannot make a network namespace: ${LAN_SKIP}`));
} else {
  describe(SUITE, () => {
    let lan: Lan;
    let env: TestEnvironment;
    let browser: Browser;
    before(async () => {
      lan = createLan();
      // Listening on the link's address only: nothing of this server on loopback.
      env = await startServer('sqlite', { HOST: lan.hostAddress, SIGNUP_RATE_PER_HOUR: '0' });
      browser = await launchChromium(lan.chromium);
    });
    after(async () => {
      await browser?.close();
      await env?.close();
      lan?.remove();
    });

    it('shows a signed-in person their wallet, styled, every file fetched over plain http', async () => {
      const url = lanUrl(lan, env);
      const person = await signUp(url, 'Lan Person');
      await fund(await signInProvider(url), person.walletId, '42.00');

      for (const [viewport, name] of [
        [DESKTOP, 'desktop'],
        [PHONE, 'phone'],
      ] as const) {
        const { context, page, offOrigin } = await personPage(browser, url, person, viewport);
        // Checked first: with the old CSP the files went to https and the app never ran.
        if (offOrigin.length > 0) await screenshot(page, `lan-${name}-broken`);
        assert.deepEqual(
          offOrigin,
          [],
          `${name}: the page asked for files away from ${url} (https: upgrade-insecure-requests?)`,
        );
        const fetched = (await page.evaluate(
          'performance.getEntriesByType("resource").map((r) => r.name)',
        )) as string[];
        assert.ok(
          fetched.some((u) => u === `${url}/styles.css`) &&
            fetched.some((u) => u === `${url}/app.js`),
          `${name}: styles.css and app.js from ${url}: ${fetched.join(', ')}`,
        );
        assert.deepEqual(
          fetched.filter((u) => !u.startsWith(`${url}/`)),
          [],
          `${name}: every file from ${url}`,
        );

        await page.locator('#balance', { hasText: '$42.00' }).waitFor();
        assert.equal(await page.locator('#home').isVisible(), true, `${name}: the wallet view`);
        // Values only styles.css gives: without it the body keeps its 8px margin.
        const styled = await page.evaluate(
          `[getComputedStyle(document.body).margin, getComputedStyle(document.querySelector('.bar')).display]`,
        );
        assert.deepEqual(styled, ['0px', 'flex'], `${name}: styles.css applied`);
        if (viewport === PHONE) {
          assert.ok((await scrollWidth(page)) <= PHONE.width, 'no sideways scrolling on a phone');
        }
        assert.deepEqual(await seriousViolations(page), [], name);
        await screenshot(page, `lan-${name}`);
        await context.close();
      }
      // No https is served here, so the CSP asks for none.
      assert.doesNotMatch(await cspOf(url), /upgrade-insecure-requests/);
    });

    it('asks for https behind a TLS proxy, and this browser then does (the test above can fail)', async () => {
      const proxied = await startServer('sqlite', {
        HOST: lan.hostAddress,
        SIGNUP_RATE_PER_HOUR: '0',
        TRUST_PROXY: '1',
      });
      try {
        const url = lanUrl(lan, proxied);
        assert.match(await cspOf(url), /upgrade-insecure-requests/);
        // Across the veth Chromium obeys it, as it does not on loopback.
        const person = await signUp(url);
        const { context, offOrigin } = await personPage(browser, url, person);
        const https = url.replace(/^http:/, 'https:');
        assert.ok(
          offOrigin.includes(`${https}/styles.css`),
          `styles.css asked for over https: ${offOrigin.join(', ')}`,
        );
        await context.close();
      } finally {
        await proxied.close();
      }
    });
  });
}
