/**
 * Two people, each in a browser context of their own, doing together what
 * the wallet is for: paying by email after seeing whom, the receipt both
 * can open by its address, giving money back, asking to be paid and
 * answering. Each flow runs at a desktop's width and a phone's; the
 * screenshots are kept in `screenshots/`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
/** Long enough for the page's refresh (every 5 s) to have run twice. */
const LIVE = { timeout: 15_000 };

if (!chromiumAvailable()) {
  it('two people in the web frontend', { skip: CHROMIUM_SKIP });
} else {
  for (const kind of databaseKinds()) {
    describe(`two people in the web frontend on ${kind}`, () => {
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

      const count = async (sql: string) =>
        Number((await queryDatabase<{ n: unknown }>(env.database.url, sql))[0].n);

      /** Accessible, within the width, and nothing asked of another origin. */
      async function checkPage(page: Page, width: number, offOrigin: string[]) {
        assert.deepEqual(await seriousViolations(page), [], 'no serious accessibility violation');
        const wide = await scrollWidth(page);
        assert.ok(wide <= width, `nothing wider than the window (${wide} > ${width} px)`);
        assert.deepEqual(offOrigin, [], 'no request leaves the origin');
      }

      it("shows amounts in each currency's digits and the person's locale", async () => {
        const url = env.server.url;
        const ada = await signUp(url, 'Ada Locale');
        const provider = await signInProvider(url);
        await fund(provider, ada.walletId, '1234.50');
        const yen = (await ada.client.ok('mutation { openWallet(currency: "JPY") { id } }'))
          .openWallet.id;
        await fund(provider, yen, '150000');
        const dinar = (await ada.client.ok('mutation { openWallet(currency: "BHD") { id } }'))
          .openWallet.id;
        await fund(provider, dinar, '2.125');
        const seen: Record<string, string[]> = {};
        for (const locale of ['en-US', 'de-DE']) {
          const { context, page } = await personPage(browser, url, ada, DESKTOP, locale);
          await page.locator('#wallet-list button').nth(2).waitFor();
          seen[locale] = (await page.locator('#wallet-list button').allTextContents()).map((t) =>
            t.replace(/\s/g, ' '),
          );
          await context.close();
        }
        assert.deepEqual(seen['en-US'], ['USD $1,234.50', 'JPY ¥150,000', 'BHD BHD 2.125']);
        assert.deepEqual(seen['de-DE'], ['USD 1.234,50 $', 'JPY 150.000 ¥', 'BHD 2,125 BHD']);
      });

      it('sends by email and pays a request with the keyboard alone', async () => {
        const url = env.server.url;
        const ada = await signUp(url, 'Ada Keys');
        const bob = await signUp(url, 'Bob Keys');
        await fund(await signInProvider(url), ada.walletId, '20.00');
        const { context, page, offOrigin } = await personPage(browser, url, ada);
        await page.locator('#balance', { hasText: '$20.00' }).waitFor();
        // Tab from the wallet id's Copy button: To, Amount, Note, then Enter to review.
        await page.locator('#copy-id').focus();
        await page.keyboard.press('Tab');
        await page.keyboard.type(bob.email);
        await page.keyboard.press('Tab');
        await page.keyboard.type('3');
        await page.keyboard.press('Tab');
        await page.keyboard.type('by keys');
        await page.keyboard.press('Enter');
        await page.locator('#send-question', { hasText: 'Send $3.00 to Bob Keys?' }).waitFor();
        await page.keyboard.press('Enter'); // focus is on "Confirm and send"
        await page.locator('#send-result', { hasText: 'Sent $3.00 to Bob Keys.' }).waitFor();

        await bob.client.ok(ASK, {
          input: { payerEmail: ada.email, amount: '1.50', details: 'keys' },
        });
        const pay = page.getByRole('button', { name: 'Pay $1.50 to Bob Keys' });
        await pay.waitFor(LIVE);
        // What is asked of her comes first: reached by Tab from the wallet id's Copy button.
        await page.locator('#copy-id').focus();
        for (
          let i = 0;
          i < 10 && (await page.evaluate('document.activeElement.textContent')) !== 'Pay';
          i++
        ) {
          await page.keyboard.press('Tab');
        }
        assert.equal(
          await page.evaluate('document.activeElement.getAttribute("aria-label")'),
          'Pay $1.50 to Bob Keys',
        );
        await page.keyboard.press('Enter');
        // Paying asks first, with focus on confirming: Enter again pays.
        await page.getByText('Pay $1.50 to Bob Keys?').waitFor();
        assert.equal(await page.evaluate('document.activeElement.textContent'), 'Confirm and pay');
        await page.keyboard.press('Enter');
        await page.locator('#balance', { hasText: '$15.50' }).waitFor();
        assert.deepEqual(offOrigin, []);
        await context.close();
      });

      for (const [size, viewport] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ] as const) {
        const shot = (page: Page, name: string) => screenshot(page, `${kind}-${size}-${name}`);

        it(`pays by email after seeing the name; both see the receipt; part is given back (${size})`, async () => {
          const url = env.server.url;
          const ada = await signUp(url, 'Ada Lovelace');
          const bob = await signUp(url, 'Bob Builder');
          const carol = await signUp(url, 'Carol Outsider');
          await fund(await signInProvider(url), ada.walletId, '100.00');
          const adas = await personPage(browser, url, ada, viewport);
          const bobs = await personPage(browser, url, bob, viewport);
          const a = adas.page;
          const b = bobs.page;
          await a.locator('#balance', { hasText: '$100.00' }).waitFor();

          // More than is available is said beside the amount, before anything is asked.
          await a.getByLabel('To', { exact: true }).fill(bob.email);
          await a.getByLabel('Amount', { exact: true }).fill('100.01');
          await a.getByRole('button', { name: 'Review' }).click();
          await a.locator('#amount-error', { hasText: 'You can send up to $100.00.' }).waitFor();
          assert.equal(
            await a.getByLabel('Amount', { exact: true }).getAttribute('aria-invalid'),
            'true',
          );
          assert.equal(await a.locator('#send-confirm').isHidden(), true, 'nothing is asked');
          await shot(a, 'send-too-much');

          await a.getByLabel('Amount', { exact: true }).fill('12.5');
          await a.getByLabel('Note', { exact: true }).fill('concert');
          await a.getByRole('button', { name: 'Review' }).click();
          await a.locator('#send-question', { hasText: 'Send $12.50 to Bob Builder?' }).waitFor();
          const toBob = `SELECT COUNT(*) AS n FROM transfers WHERE to_wallet_id = '${bob.walletId}'`;
          assert.equal(await count(toBob), 0, 'nothing sent before it is confirmed');
          // Confirming is where focus goes, so Enter sends.
          assert.equal(await a.evaluate('document.activeElement.id'), 'send-yes');
          await shot(a, 'confirm');
          await a.getByRole('button', { name: 'Confirm and send' }).dblclick();
          await a.locator('#send-result', { hasText: 'Sent $12.50 to Bob Builder.' }).waitFor();
          await a.locator('#balance', { hasText: '$87.50' }).waitFor();
          assert.equal(await count(toBob), 1, 'a double click sent once');

          // Bob sees it arrive by name, without a reload, and opens its receipt.
          const received = b.locator('#operations tr', { hasText: 'Ada Lovelace' });
          await received.waitFor(LIVE);
          assert.match((await received.textContent()) ?? '', /Received.*concert.*\+\$12\.50/);
          await received.getByRole('link', { name: 'Received: the receipt of $12.50' }).click();
          await b.locator('#receipt-figures', { hasText: 'Ada Lovelace' }).waitFor();
          const figures = (await b.locator('#receipt-figures').textContent()) ?? '';
          for (const part of ['$12.50', 'Bob Builder', 'concert', ada.walletId, bob.walletId]) {
            assert.ok(figures.includes(part), `the receipt shows ${part}: ${figures}`);
          }
          const transferId = /#transfer\/([0-9a-f-]{36})$/.exec(b.url())?.[1] ?? '';
          assert.ok(figures.includes(transferId), 'the receipt is at its transfer id');
          assert.match(
            (await b.locator('#refund-remaining').textContent()) ?? '',
            /up to \$12\.50/,
          );
          await checkPage(b, viewport.width, bobs.offOrigin);
          await shot(b, 'receipt');

          // An empty amount is never "all", and more than is left is said before asking.
          const refundAmount = b.getByLabel('Amount to give back');
          const giveBack = b.getByRole('button', { name: 'Give back', exact: true });
          const refunds = `SELECT COUNT(*) AS n FROM transfers WHERE refund_of = '${transferId}'`;
          await giveBack.click();
          await b.locator('#refund-error', { hasText: 'Enter an amount.' }).waitFor();
          assert.equal(await refundAmount.getAttribute('aria-invalid'), 'true');
          await refundAmount.fill('12.51');
          await giveBack.click();
          await b.locator('#refund-error', { hasText: '$12.50 is left to give back.' }).waitFor();
          assert.equal(await refundAmount.getAttribute('aria-invalid'), 'true');
          assert.equal(await b.locator('#refund-confirm').isHidden(), true, 'nothing is asked');
          assert.equal(await count(refunds), 0, 'nothing given back');
          // Part of it is given back after asking, once on a double click.
          await refundAmount.fill('5');
          await giveBack.click();
          await b
            .locator('#refund-question', { hasText: 'Give back $5.00 to Ada Lovelace?' })
            .waitFor();
          assert.equal(await b.evaluate('document.activeElement.id'), 'refund-yes');
          assert.equal(await count(refunds), 0, 'nothing given back before it is confirmed');
          await checkPage(b, viewport.width, bobs.offOrigin);
          await shot(b, 'refund-confirm');
          await b.getByRole('button', { name: 'Confirm and give back' }).dblclick();
          await b.locator('#refund-result', { hasText: 'Gave back $5.00.' }).waitFor();
          await b.locator('#refund-remaining', { hasText: 'up to $7.50' }).waitFor();
          assert.match(
            (await b.locator('#receipt-figures').textContent()) ?? '',
            /Refunded\$5\.00/,
          );
          assert.equal(await b.locator('#receipt-refunds li').count(), 1);
          assert.equal(await count(refunds), 1, 'a double click gave back once');
          await shot(b, 'refunded');

          // Ada gets it back without a reload, called a refund, not income.
          await a.locator('#balance', { hasText: '$92.50' }).waitFor(LIVE);
          const back = a.locator('#operations tr', { hasText: 'Refund from' });
          assert.match((await back.textContent()) ?? '', /Refund from\s*Bob Builder.*\+\$5\.00/);
          assert.equal(await a.locator('#operations tr', { hasText: 'Received' }).count(), 0);
          await back
            .getByRole('link', { name: 'Refund from Bob Builder: the receipt of $5.00' })
            .click();
          await a.getByRole('heading', { name: 'Receipt of a refund' }).waitFor();
          const original = a.getByRole('link', { name: 'the original transfer' });
          assert.equal(await original.getAttribute('href'), `#transfer/${transferId}`);
          assert.match((await a.locator('#receipt-figures').textContent()) ?? '', /Refund of/);
          await checkPage(a, viewport.width, adas.offOrigin);
          await shot(a, 'refund-receipt');
          // The receipt's address opens the original for her too.
          await a.goto(`${url}/#transfer/${transferId}`);
          await a.locator('#receipt-figures', { hasText: 'Refunded$5.00' }).waitFor();
          assert.equal(
            await a.locator('#refund-form').isHidden(),
            true,
            'only its recipient refunds',
          );
          // What Bob's wallet cannot cover is said before asking, with what it has.
          await bob.client.ok(SEND, { input: { toWalletId: carol.walletId, amount: '6.00' } });
          await b
            .locator('#wallet-list button', { hasText: '$1.50' })
            .waitFor({ state: 'attached', ...LIVE });
          const giveAll = b.getByRole('button', { name: 'Give back all ($7.50)' });
          await giveAll.click();
          await b.locator('#refund-error', { hasText: 'You have $1.50 available.' }).waitFor();
          assert.equal(await b.locator('#refund-confirm').isHidden(), true, 'nothing is asked');
          await carol.client.ok(SEND, { input: { toWalletId: bob.walletId, amount: '6.00' } });
          await b
            .locator('#wallet-list button', { hasText: '$7.50' })
            .waitFor({ state: 'attached', ...LIVE });
          // Bob gives back the rest with its own button, after asking.
          await giveAll.click();
          await b
            .locator('#refund-question', { hasText: 'Give back $7.50 to Ada Lovelace?' })
            .waitFor();
          await b.getByRole('button', { name: 'Confirm and give back' }).click();
          await b.locator('#refund-result', { hasText: 'Gave back $7.50.' }).waitFor();
          assert.equal(await b.locator('#refund-form').isHidden(), true, 'nothing left to give');
          assert.match(
            (await b.locator('#receipt-figures').textContent()) ?? '',
            /Refunded\$12\.50/,
          );
          await b.getByRole('link', { name: 'Back to the wallet' }).click();
          await b.locator('#balance', { hasText: '$0.00' }).waitFor();
          const given = b.locator('#operations tr', { hasText: 'Refund to' });
          assert.equal(await given.count(), 2, 'both refunds are called refunds');
          await given.first().scrollIntoViewIfNeeded();
          await shot(b, 'refund-operations');
          assert.match(
            (await given.first().textContent()) ?? '',
            /Refund to\s*Ada Lovelace.*−\$7\.50/,
          );
          await a.locator('#receipt-figures', { hasText: 'Refunded$12.50' }).waitFor(LIVE);

          // Someone else with the link sees nothing of it.
          const carols = await personPage(browser, url, carol, viewport);
          await carols.page.goto(`${url}/#transfer/${transferId}`);
          await carols.page.locator('#receipt-error', { hasText: 'not one of yours' }).waitFor();
          assert.equal(await carols.page.locator('#receipt-figures').textContent(), '');
          // Logging out leaves no receipt's address for the next person at this browser.
          await a.getByRole('button', { name: 'Log out' }).click();
          await a.locator('#notice', { hasText: 'You are logged out.' }).waitFor();
          assert.doesNotMatch(a.url(), /#transfer/);
          for (const { context } of [adas, bobs, carols]) await context.close();
          assert.deepEqual([...adas.offOrigin, ...carols.offOrigin], []);
        });

        it(`asks to be paid; the other pays or declines; the asker cancels; expiry shows (${size})`, async () => {
          const url = env.server.url;
          const ada = await signUp(url, 'Ada Lovelace');
          const bob = await signUp(url, 'Bob Builder');
          await fund(await signInProvider(url), bob.walletId, '50.00');
          const adas = await personPage(browser, url, ada, viewport);
          const bobs = await personPage(browser, url, bob, viewport);
          const a = adas.page;
          const b = bobs.page;
          await b.locator('#balance', { hasText: '$50.00' }).waitFor();

          const ask = async (email: string, amount: string, note: string) => {
            await a.getByLabel('Their email').fill(email);
            await a.getByLabel('Amount to ask for').fill(amount);
            await a.getByLabel('What it is for').fill(note);
            await a.getByRole('button', { name: 'Ask for money' }).click();
          };
          await ask(`${randomUUID()}@nobody.test`, '1.00', 'nobody');
          await a.locator('#request-from-error', { hasText: 'Nobody with this email' }).waitFor();
          await ask(bob.email, '7.25', 'tickets');
          await a.locator('#request-result', { hasText: 'Asked Bob Builder for $7.25.' }).waitFor();
          const mine = a.locator('#outgoing-requests li', { hasText: 'tickets' });
          assert.match(
            (await mine.textContent()) ?? '',
            /You asked Bob Builder for \$7\.25.*Waiting · expires/,
          );

          // Bob sees it without a reload, and pays it once.
          const asked = b.locator('#incoming-requests li', { hasText: 'tickets' });
          await asked.waitFor(LIVE);
          assert.match((await asked.textContent()) ?? '', /Ada Lovelace asks you for \$7\.25/);
          await checkPage(b, viewport.width, bobs.offOrigin);
          await shot(b, 'asked');
          const toAda = `SELECT COUNT(*) AS n FROM transfers WHERE to_wallet_id = '${ada.walletId}'`;
          // Paying asks first, naming the amount and the person; a double click pays once.
          await asked.getByRole('button', { name: 'Pay $7.25 to Ada Lovelace' }).click();
          await asked.getByText('Pay $7.25 to Ada Lovelace?').waitFor();
          assert.equal(await b.evaluate('document.activeElement.textContent'), 'Confirm and pay');
          assert.equal(await count(toAda), 0, 'nothing paid before it is confirmed');
          await checkPage(b, viewport.width, bobs.offOrigin);
          await shot(b, 'pay-confirm');
          await asked.getByRole('button', { name: 'Confirm and pay' }).dblclick();
          await asked.locator('.request-state', { hasText: 'Paid' }).waitFor();
          await b.locator('#balance', { hasText: '$42.75' }).waitFor();
          assert.equal(await count(toAda), 1, 'paid once');
          await mine.locator('.request-state', { hasText: 'Paid' }).waitFor(LIVE);
          await a.locator('#balance', { hasText: '$7.25' }).waitFor(LIVE);
          await mine.getByRole('link', { name: 'See the receipt' }).click();
          await a.locator('#receipt-figures', { hasText: 'Bob Builder' }).waitFor();
          await a.getByRole('link', { name: 'Back to the wallet' }).click();

          // More than Bob has: said beside the request before asking, with what he has.
          await ask(bob.email, '100.00', 'too much');
          const tooMuch = b.locator('#incoming-requests li', { hasText: 'too much' });
          await tooMuch.getByRole('button', { name: 'Pay $100.00 to Ada Lovelace' }).click(LIVE);
          await tooMuch
            .locator('.error', {
              hasText: 'not enough money in your wallet to pay this. You have $42.75 available.',
            })
            .waitFor();
          assert.equal(await tooMuch.locator('.confirm').isHidden(), true, 'nothing is asked');
          assert.match((await tooMuch.textContent()) ?? '', /Waiting/);
          await shot(b, 'pay-too-much');

          await ask(bob.email, '3.00', 'coffee');
          const coffee = b.locator('#incoming-requests li', { hasText: 'coffee' });
          await coffee
            .getByRole('button', { name: "Decline Ada Lovelace's request for $3.00" })
            .click(LIVE);
          await coffee.locator('.request-state', { hasText: 'Declined' }).waitFor();
          await a
            .locator('#outgoing-requests li', { hasText: 'coffee' })
            .locator('.request-state', { hasText: 'Declined' })
            .waitFor(LIVE);

          await ask(bob.email, '1.00', 'gum');
          const gum = a.locator('#outgoing-requests li', { hasText: 'gum' });
          await gum
            .getByRole('button', { name: 'Cancel your request to Bob Builder for $1.00' })
            .click();
          await gum.locator('.request-state', { hasText: 'Canceled' }).waitFor();
          const gumForBob = b.locator('#incoming-requests li', { hasText: 'gum' });
          await gumForBob.locator('.request-state', { hasText: 'Canceled' }).waitFor(LIVE);
          assert.equal(await gumForBob.getByRole('button').count(), 0, 'nothing left to do');

          // A request past its time is shown expired, with nothing left to do.
          await ada.client.ok(ASK, {
            input: { payerEmail: bob.email, amount: '2.00', details: 'late', expiresInSeconds: 1 },
          });
          const late = b.locator('#incoming-requests li', { hasText: 'late' });
          await late.locator('.request-state', { hasText: 'Expired' }).waitFor({ timeout: 20_000 });
          assert.equal(await late.getByRole('button').count(), 0);
          await shot(b, 'requests');
          await checkPage(a, viewport.width, adas.offOrigin);
          await shot(a, 'requests');
          for (const { context } of [adas, bobs]) await context.close();
        });
      }
    });
  }
}
