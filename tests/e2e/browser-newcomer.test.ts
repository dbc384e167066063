/**
 * What a newcomer meets on the page, at a desktop's width and a phone's:
 * the forms to get in, the wallet screen read on a phone (what others ask
 * first, each operation readable, a chart that answers a touch), holds in
 * words, only new currencies offered, results that do not outlive the next
 * action, and amounts typed with the locale's own decimal comma.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  DESKTOP,
  PHONE,
  CHROMIUM_SKIP,
  chromiumAvailable,
  launchChromium,
  personPage,
  screenshot,
  scrollWidth,
  seriousViolations,
} from '../helpers/browser';
import { databaseKinds, queryDatabase } from '../../testkit/databases';
import { SEND, fund, signInProvider, signUp } from '../../testkit/fixtures';
import { startServer, stopAllServers, type TestEnvironment } from '../../testkit/server';

after(stopAllServers);

const ASK = `mutation($input: RequestPaymentInput!) { requestPayment(input: $input) { id } }`;
const AUTHORIZE = `mutation($i: AuthorizeHoldInput!) { authorizeHold(input: $i) { hold { id } } }`;

if (!chromiumAvailable()) {
  it('a newcomer in the web frontend', { skip: CHROMIUM_SKIP });
} else {
  for (const kind of databaseKinds()) {
    describe(`a newcomer in the web frontend on ${kind}`, () => {
      let env: TestEnvironment;
      let browser: Browser;
      before(async () => {
        env = await startServer(kind, { SIGNUP_RATE_PER_HOUR: '0' });
        browser = await launchChromium();
      });
      after(async () => {
        await browser?.close();
        await env?.close();
      });

      const amounts = async (sql: string) =>
        (await queryDatabase<{ amount: unknown }>(env.database.url, sql)).map((r) =>
          String(r.amount),
        );

      /** Accessible, within the width, and nothing asked of another origin. */
      async function checkPage(page: Page, width: number, offOrigin: string[]) {
        assert.deepEqual(await seriousViolations(page), [], 'no serious accessibility violation');
        const wide = await scrollWidth(page);
        assert.ok(wide <= width, `nothing wider than the window (${wide} > ${width} px)`);
        assert.deepEqual(offOrigin, [], 'no request leaves the origin');
      }

      for (const [size, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        const shot = (page: Page, name: string) => screenshot(page, `${kind}-${size}-${name}`);

        it(`logs in and signs up with fields their size and errors beside them (${size})`, async () => {
          const url = env.server.url;
          const taken = await signUp(url, 'Ada Taken');
          const context = await browser.newContext({ viewport });
          const page = await context.newPage();
          await page.goto(url);
          await page.locator('#login-form').waitFor();
          // The log-in card beside the longer sign-up card keeps its fields their size.
          const height = async (id: string) => (await page.locator(id).boundingBox())?.height;
          assert.equal(await height('#login-email'), await height('#signup-email'));
          assert.equal(await height('#login-password'), await height('#signup-password'));

          const signup = page.locator('#signup-form');
          await signup.getByLabel('Password').fill('short');
          await signup.getByRole('button', { name: 'Sign up' }).click();
          await page.locator('#signup-name-error', { hasText: 'Enter your name.' }).waitFor();
          assert.equal(
            await page.locator('#signup-email-error').textContent(),
            'Enter your email, such as ada@example.com.',
          );
          assert.equal(
            await page.locator('#signup-password-error').textContent(),
            'Choose a password of at least 8 characters.',
          );
          assert.equal(
            await page.locator('#signup-error').textContent(),
            '',
            'nothing in one lump',
          );
          for (const field of ['#signup-name', '#signup-email', '#signup-password']) {
            assert.equal(await page.locator(field).getAttribute('aria-invalid'), 'true', field);
          }
          assert.equal(await page.evaluate('document.activeElement.id'), 'signup-name');
          await checkPage(page, viewport.width, []);
          await shot(page, 'signup-errors');

          // The service's refusal goes beside the field it concerns too.
          await signup.getByLabel('Name').fill('Ada Again');
          await signup.getByLabel('Email').fill(taken.email);
          await signup.getByLabel('Password').fill('long-enough');
          await signup.getByRole('button', { name: 'Sign up' }).click();
          await page.locator('#signup-email-error', { hasText: 'already exists' }).waitFor();
          assert.equal(await page.locator('#signup-name-error').textContent(), '');
          assert.equal(await page.locator('#signup-name').getAttribute('aria-invalid'), null);
          await context.close();
        });

        it(`shows what is asked first, operations readable, holds in words, a chart to touch (${size})`, async () => {
          const url = env.server.url;
          const provider = await signInProvider(url);
          const ada = await signUp(url, 'Ada Lovelace');
          const bob = await signUp(url, 'Bob Builder');
          await fund(provider, ada.walletId, '100.00');
          await ada.client.ok(SEND, {
            input: { toWalletId: bob.walletId, amount: '12.50', details: 'concert' },
          });
          await bob.client.ok(ASK, {
            input: { payerEmail: ada.email, amount: '8.00', details: 'tickets' },
          });
          await provider.ok(AUTHORIZE, {
            i: { walletId: ada.walletId, amount: '20.00', reference: `psp-order-${size}` },
          });
          const phone = size === 'phone';
          const adas = await personPage(browser, url, ada, viewport, 'en-US', phone);
          const page = adas.page;
          await page.locator('#balance', { hasText: '$87.50' }).waitFor();
          const pay = page.getByRole('button', { name: 'Pay $8.00 to Bob Builder' });
          await pay.waitFor();

          // What someone asks of her comes before anything else she might do, on the first screen.
          const top = async (selector: string) =>
            (await page.locator(selector).boundingBox())?.y ?? Infinity;
          assert.ok((await top('#incoming')) < (await top('#send-form')), 'asked before send');
          const payBox = await pay.boundingBox();
          assert.ok(
            payBox !== null && payBox.y + payBox.height <= viewport.height,
            `Pay is on the first screen (${payBox?.y} px of ${viewport.height})`,
          );
          // A hold is described in words, never by the provider's reference.
          const holds = (await page.locator('#holds').textContent()) ?? '';
          assert.match(holds, /\$20\.00 for a payment not settled yet, until /);
          assert.doesNotMatch(holds, /psp-order/);
          // Only currencies without a wallet are offered.
          assert.equal(await page.getByLabel('Open a wallet in').inputValue(), 'EUR');

          // Each operation reads as one row: the amount with what it was, the balance after named.
          const sent = page.locator('#operations tr', { hasText: 'Sent' });
          const amount = await sent.locator('td.amount').boundingBox();
          const balanceAfter = await sent.locator('td.after').boundingBox();
          assert.ok(amount !== null && balanceAfter !== null);
          const label = await sent
            .locator('td.after')
            .evaluate(
              (cell) => cell.ownerDocument.defaultView?.getComputedStyle(cell, '::before').content,
            );
          if (phone) {
            assert.ok(balanceAfter.y >= amount.y + amount.height, 'the balance on its own line');
            assert.equal(label, '"Balance after "');
            assert.equal(await page.locator('.operations thead').isHidden(), true);
          } else {
            assert.equal(Math.round(balanceAfter.y), Math.round(amount.y), 'one line per row');
            assert.equal(await page.locator('.operations thead').isVisible(), true);
          }
          assert.match((await sent.textContent()) ?? '', /Sent.*Bob Builder.*concert/);

          // Everything happened within a minute: the time axis says each moment once.
          const ticks = await page.locator('#chart text.tick').allTextContents();
          assert.equal(new Set(ticks).size, ticks.length, `no label twice: ${ticks}`);
          // A touch (or a click) on the line says the balance of the nearest point.
          const chart = page.locator('#chart svg');
          const box = await chart.boundingBox();
          assert.ok(box !== null);
          const right = { x: box.width - 20, y: box.height / 2 };
          if (phone) await chart.tap({ position: right });
          else await chart.click({ position: right });
          await page.locator('.chart-readout', { hasText: ': $87.50' }).waitFor();
          assert.equal(await page.locator('#chart .marker').getAttribute('visibility'), 'visible');
          await checkPage(page, viewport.width, adas.offOrigin);
          await shot(page, 'wallet-asked');
          await page.locator('#operations').scrollIntoViewIfNeeded();
          await shot(page, 'operations');

          // A result is about the last action only: asking for money clears "Sent …".
          await page.getByLabel('To', { exact: true }).fill(bob.email);
          await page.getByLabel('Amount', { exact: true }).fill('1');
          await page.getByRole('button', { name: 'Review' }).click();
          await page.getByRole('button', { name: 'Confirm and send' }).click();
          await page.locator('#send-result', { hasText: 'Sent $1.00 to Bob Builder.' }).waitFor();
          await page.getByLabel('Their email').fill(bob.email);
          await page.getByLabel('Amount to ask for').fill('2');
          await page.getByRole('button', { name: 'Ask for money' }).click();
          await page.locator('#request-result', { hasText: 'Asked Bob Builder' }).waitFor();
          assert.equal(await page.locator('#send-result').textContent(), '', 'the old result went');
          await adas.context.close();
        });

        it(`takes a decimal comma where the locale writes one (${size})`, async () => {
          const url = env.server.url;
          const ada = await signUp(url, 'Ada Komma');
          const bob = await signUp(url, 'Bob Komma');
          await fund(await signInProvider(url), ada.walletId, '100.00');
          const adas = await personPage(browser, url, ada, viewport, 'de-DE');
          const page = adas.page;
          await page.locator('#balance', { hasText: '100,00' }).waitFor();
          const amount = page.getByLabel('Amount', { exact: true });
          await page.getByLabel('To', { exact: true }).fill(bob.email);
          // A point is not guessed at: "1.250" is 1250 here and 1.25 in English.
          for (const typed of ['12.50', '1.250', '1.250,00']) {
            await amount.fill(typed);
            await page
              .locator('#amount-error', { hasText: 'Enter an amount such as 10,50.' })
              .waitFor();
          }
          await amount.fill('12,505');
          await page.locator('#amount-error', { hasText: 'at most 2 decimals' }).waitFor();
          await amount.fill('12,5');
          assert.equal(await page.locator('#amount-error').textContent(), '');
          await page.getByRole('button', { name: 'Review' }).click();
          const question = page.locator('#send-question');
          await question.waitFor();
          assert.match(
            ((await question.textContent()) ?? '').replace(/\s/g, ' '),
            /Send 12,50 \$ to Bob Komma\?/,
          );
          await page.getByRole('button', { name: 'Confirm and send' }).click();
          await page.locator('#balance', { hasText: '87,50' }).waitFor();
          const sentTo = `SELECT amount_minor AS amount FROM transfers WHERE to_wallet_id = '${bob.walletId}'`;
          assert.deepEqual(await amounts(sentTo), ['1250'], 'sent exactly 12.50');

          await page.getByLabel('Their email').fill(bob.email);
          await page.getByLabel('Amount to ask for').fill('3,25');
          await page.getByRole('button', { name: 'Ask for money' }).click();
          await page.locator('#request-result', { hasText: 'Asked Bob Komma' }).waitFor();
          const asked = `SELECT amount_minor AS amount FROM payment_requests WHERE payer_user_id = '${bob.userId}'`;
          assert.deepEqual(await amounts(asked), ['325'], 'asked exactly 3.25');
          await checkPage(page, viewport.width, adas.offOrigin);
          await shot(page, 'decimal-comma');

          // Bob, in German too, gives part of it back.
          const bobs = await personPage(browser, url, bob, viewport, 'de-DE');
          const transferId = (
            await queryDatabase<{ id: unknown }>(
              env.database.url,
              `SELECT id FROM transfers WHERE to_wallet_id = '${bob.walletId}'`,
            )
          )[0].id;
          await bobs.page.goto(`${url}/#transfer/${String(transferId)}`);
          await bobs.page.getByLabel('Amount to give back').fill('2,5');
          await bobs.page.getByRole('button', { name: 'Give back', exact: true }).click();
          await bobs.page.locator('#refund-question', { hasText: '2,50' }).waitFor();
          await bobs.page.getByRole('button', { name: 'Confirm and give back' }).click();
          await bobs.page.locator('#refund-result', { hasText: '2,50' }).waitFor();
          const given = `SELECT amount_minor AS amount FROM transfers WHERE refund_of = '${String(transferId)}'`;
          assert.deepEqual(await amounts(given), ['250'], 'gave back exactly 2.50');
          for (const { context } of [adas, bobs]) await context.close();
        });
      }
    });
  }
}
