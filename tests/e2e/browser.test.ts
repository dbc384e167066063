/**
 * The web frontend in a real browser: Debian's Chromium driven by
 * playwright-core. Screenshots of the main screens go to a folder it prints.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  SCREENSHOTS,
  CHROMIUM_SKIP,
  chromiumAvailable,
  launchChromium,
  personPage,
  screenshot,
  seriousViolations,
} from '../helpers/browser';
import { databaseKinds, executeOnDatabase, queryDatabase } from '../../testkit/databases';
import { SEND, fund, signInProvider, signUp, type Person } from '../../testkit/fixtures';
import { startServer, stopAllServers, type TestEnvironment } from '../../testkit/server';

after(stopAllServers);

const AUTHORIZE = `mutation($i: AuthorizeHoldInput!) { authorizeHold(input: $i) { hold { id } } }`;
const CSV_HEADER =
  'created_at,type,amount,balance_after,counterparty,reference,details,operation_id,refund_of';

if (!chromiumAvailable()) {
  it('the web frontend', { skip: CHROMIUM_SKIP });
} else {
  console.log(`browser tests: screenshots in ${SCREENSHOTS}`);
  for (const kind of databaseKinds()) {
    describe(`the web frontend on ${kind}`, () => {
      let env: TestEnvironment;
      let browser: Browser;
      before(async () => {
        env = await startServer(kind, { SIGNUP_RATE_PER_HOUR: '0', LOGIN_MAX_FAILURES: '3' });
        browser = await launchChromium();
      });
      after(async () => {
        await browser?.close();
        await env?.close();
      });

      /** A new person, funded with one deposit per amount, signed in on a browser page at the app. */
      async function signedInPage(deposits: string[], personName = 'Test Person') {
        const url = env.server.url;
        const person = await signUp(url, personName);
        const provider = await signInProvider(url);
        for (const amount of deposits) await fund(provider, person.walletId, amount);
        const { context, page } = await personPage(browser, url, person);
        return { context, page, person };
      }

      const shot = (page: Page, name: string) => screenshot(page, `${kind}-${name}`);

      it('signs up, sees the wallet, sends money once on a double click, reads refusals', async () => {
        assert.match(env.server.output(), new RegExp(`"database":"${kind}"`));
        const url = env.server.url;
        const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
        const page = await context.newPage();
        await page.goto(url);
        await shot(page, 'login');

        const email = `${randomUUID()}@browser.test`;
        const signupForm = page.locator('#signup-form');
        await signupForm.getByLabel('Name').fill('Ada Lovelace');
        await signupForm.getByLabel('Email').fill(email);
        await signupForm.getByLabel('Password').fill('ada-password');
        await signupForm.getByRole('button', { name: 'Sign up' }).click();
        await page.locator('#balance', { hasText: '0.00' }).waitFor();
        const walletId = (await page.locator('#wallet-id').textContent()) ?? '';
        assert.match(walletId, /^[0-9a-f-]{36}$/);

        const provider = await signInProvider(url);
        await fund(provider, walletId, '100.00');
        // No reload: the page looks for new money every few seconds while it is visible.
        await page.locator('#balance', { hasText: '100.00' }).waitFor({ timeout: 15_000 });
        assert.match((await page.locator('#operations tr').first().textContent()) ?? '', /Deposit/);

        const recipient: Person = await signUp(url);
        await page.getByLabel('To', { exact: true }).fill(recipient.walletId);
        await page.getByLabel('Amount', { exact: true }).fill('12.5');
        await page.getByLabel('Note', { exact: true }).fill('lunch');
        await page.getByRole('button', { name: 'Review' }).click();
        await page
          .locator('#send-question', {
            hasText: `Send $12.50 to the wallet ${recipient.walletId}?`,
          })
          .waitFor();
        await page.getByRole('button', { name: 'Confirm and send' }).dblclick();
        await page.locator('#send-result', { hasText: 'Sent $12.50 to the wallet.' }).waitFor();
        await page.locator('#balance', { hasText: '$87.50' }).waitFor();
        const firstRow = (await page.locator('#operations tr').first().textContent()) ?? '';
        assert.match(firstRow, /Sent/);
        assert.match(firstRow, /lunch/);
        const transfers = await queryDatabase<{ n: unknown }>(
          env.database.url,
          `SELECT COUNT(*) AS n FROM transfers WHERE to_wallet_id = '${recipient.walletId}'`,
        );
        assert.equal(Number(transfers[0].n), 1, 'a double click sent once');
        await shot(page, 'after-send');

        await page.getByLabel('Amount', { exact: true }).fill('1.001');
        await page
          .locator('#amount-error', { hasText: 'USD amounts have at most 2 decimals.' })
          .waitFor();
        /** Fills the form, reviews it and confirms: what a person does to send. */
        const sendTo = async (to: string, amount: string) => {
          await page.getByLabel('To', { exact: true }).fill(to);
          await page.getByLabel('Amount', { exact: true }).fill(amount);
          await page.getByRole('button', { name: 'Review' }).click();
          await page.getByRole('button', { name: 'Confirm and send' }).click();
        };
        await sendTo(randomUUID(), '1.00');
        // Each refusal is said next to the field it concerns.
        await page.locator('#to-error', { hasText: 'There is no wallet with this id' }).waitFor();
        assert.equal(await page.locator('#send-to').getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('#note-error').textContent(), '');
        // More than is available is said beside the amount before anything is asked.
        await page.getByLabel('To', { exact: true }).fill(recipient.walletId);
        await page.getByLabel('Amount', { exact: true }).fill('1000');
        await page.getByRole('button', { name: 'Review' }).click();
        await page.locator('#amount-error', { hasText: 'You can send up to $87.50.' }).waitFor();
        assert.equal(await page.locator('#send-confirm').isHidden(), true);
        assert.equal(await page.locator('#to-error').textContent(), '', 'the old error is gone');
        await page.getByLabel('Note', { exact: true }).fill('x'.repeat(500));
        // Paying yourself, by wallet id or by email, is said beside "To" before anything is asked.
        for (const [to, words] of [
          [walletId, 'This is the wallet you are sending from: send to someone else.'],
          [email.toUpperCase(), 'This email is yours: send to someone else.'],
        ]) {
          await page.getByLabel('To', { exact: true }).fill(to);
          await page.getByLabel('Amount', { exact: true }).fill('1.00');
          await page.getByRole('button', { name: 'Review' }).click();
          await page.locator('#to-error', { hasText: words }).waitFor();
          assert.equal(await page.locator('#send-confirm').isHidden(), true);
        }
        // An email nobody has is refused before anything is asked to confirm.
        await page.getByLabel('To', { exact: true }).fill(`${randomUUID()}@nobody.test`);
        await page.getByRole('button', { name: 'Review' }).click();
        await page.locator('#to-error', { hasText: 'Nobody with this email' }).waitFor();
        assert.equal(await page.locator('#send-confirm').isHidden(), true);
        await page.getByLabel('Note', { exact: true }).fill('');
        await shot(page, 'refusal');

        await page.setViewportSize({ width: 375, height: 800 });
        await shot(page, 'phone');
        await page.setViewportSize({ width: 1100, height: 900 });

        await page.getByRole('button', { name: 'Log out' }).click();
        await page.locator('#notice', { hasText: 'You are logged out.' }).waitFor();
        const loginForm = page.locator('#login-form');
        await loginForm.getByLabel('Email').fill(email);
        await loginForm.getByLabel('Password').fill('wrong-password');
        await loginForm.getByRole('button', { name: 'Log in' }).click();
        await page
          .locator('#login-error', { hasText: 'The email or password is wrong.' })
          .waitFor();
        await loginForm.getByLabel('Password').fill('ada-password');
        await loginForm.getByRole('button', { name: 'Log in' }).click();
        await page.locator('#balance', { hasText: '$87.50' }).waitFor();
        await context.close();
      });

      it("shows names, money held apart and a period's statement with its CSV", async () => {
        const url = env.server.url;
        const { context, page, person } = await signedInPage(['100.00'], 'Ada Statement');
        await page.locator('#balance', { hasText: '100.00' }).waitFor();
        assert.equal(
          await page.locator('#held-part').isHidden(),
          true,
          'nothing held: one balance',
        );
        const bob = await signUp(url, 'Bob Builder');
        const provider = await signInProvider(url);
        await fund(provider, bob.walletId, '20.00');
        await bob.client.ok(SEND, {
          input: { toWalletId: person.walletId, amount: '5.00', details: 'thanks' },
        });
        // The sender by name, never a wallet id; arriving without a reload.
        const row = page.locator('#operations tr', { hasText: 'Bob Builder' });
        await row.waitFor({ timeout: 15_000 });
        assert.doesNotMatch((await row.textContent()) ?? '', new RegExp(bob.walletId));

        await provider.ok(AUTHORIZE, {
          i: {
            walletId: person.walletId,
            amount: '30.00',
            reference: randomUUID(),
            details: 'Order 17',
          },
        });
        await page.locator('#held', { hasText: '$30.00' }).waitFor({ timeout: 15_000 });
        assert.equal(await page.locator('#available').textContent(), '$75.00');
        assert.match((await page.locator('#holds').textContent()) ?? '', /\$30\.00 for Order 17/);

        // This month so far, by default: everything above.
        await page.getByRole('button', { name: 'Show statement' }).click();
        await page.locator('#statement-in', { hasText: '$105.00' }).waitFor();
        assert.equal(await page.locator('#statement-opening').textContent(), '$0.00');
        assert.equal(await page.locator('#statement-out').textContent(), '$0.00');
        assert.equal(await page.locator('#statement-closing').textContent(), '$105.00');
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('link', { name: 'Download the statement as CSV' }).click(),
        ]);
        const csv = fs.readFileSync(await download.path(), 'utf8');
        assert.ok(csv.startsWith(`${CSV_HEADER}\r\n`), csv);
        assert.match(csv, /"TRANSFER_IN",5\.00,105\.00,"Bob Builder",,"thanks",/);
        assert.equal(csv.trimEnd().split('\r\n').length, 3, 'the header and two operations');
        await shot(page, 'statement');

        // Refusals are said beside the period, in words.
        await page.getByLabel('From', { exact: true }).fill('2026-03-10');
        await page.getByLabel('To (included)').fill('2026-03-01');
        await page.getByRole('button', { name: 'Show statement' }).click();
        await page.locator('#statement-error', { hasText: 'cannot be before' }).waitFor();
        assert.equal(await page.locator('#statement-result').isHidden(), true);
        await page.getByLabel('From', { exact: true }).fill('2024-01-01');
        await page.getByLabel('To (included)').fill('2025-06-30');
        await page.getByRole('button', { name: 'Show statement' }).click();
        await page.locator('#statement-error', { hasText: 'at most 366 days' }).waitFor();
        assert.equal(await page.locator('#statement-to').getAttribute('aria-invalid'), 'true');

        assert.deepEqual(await seriousViolations(page), [], 'no serious accessibility violation');
        await page.setViewportSize({ width: 390, height: 844 });
        // The chart is drawn again at the phone's width, so its text keeps its size.
        await page.locator('#chart svg[viewBox^="0 0 3"]').waitFor(); // 320–399 px wide
        const overflow = await page.evaluate('document.documentElement.scrollWidth');
        assert.ok(Number(overflow) <= 390, `nothing wider than a phone (${overflow} px)`);
        await shot(page, 'statement-phone');
        await context.close();
      });

      it('opens a wallet in another currency, charts the balance, refuses across currencies', async () => {
        const { context, page } = await signedInPage(['30.00', '10.00', '25.00']);
        await page.locator('#balance', { hasText: '$65.00' }).waitFor();
        await page.locator('#chart circle:not(.marker)').nth(2).waitFor(); // the operations have loaded
        assert.equal(
          await page.locator('#chart circle:not(.marker)').count(),
          3,
          'one point per operation',
        );
        // Axes with amounts and dates, and the same points as a table.
        const ticks = await page.locator('#chart text.tick').allTextContents();
        assert.ok(ticks.includes('$0.00'), `the amount axis starts at zero: ${ticks}`);
        assert.ok(
          ticks.some((t) => /^\$[0-9]+\.00$/.test(t) && t !== '$0.00'),
          `${ticks}`,
        );
        await page.getByText('The chart as a table').click();
        const figures = await page.locator('.chart-table tbody tr td.num').allTextContents();
        assert.deepEqual(
          figures,
          ['$30.00', '$40.00', '$65.00'],
          'oldest first, each balance after',
        );

        await page.getByLabel('Open a wallet in').selectOption('EUR');
        await page.getByRole('button', { name: 'Open wallet' }).click();
        await page.locator('#currency', { hasText: 'EUR' }).waitFor();
        assert.equal(await page.locator('#balance').textContent(), '€0.00');
        assert.equal(await page.locator('#wallet-list button').count(), 2);
        const euroWalletId = (await page.locator('#wallet-id').textContent()) ?? '';
        // Only the currencies without a wallet are offered, the first of them chosen.
        const offered = await page.locator('#open-currency option').allTextContents();
        assert.deepEqual(offered, ['GBP', 'RUB', 'JPY', 'KRW', 'BHD', 'KWD']);
        assert.equal(await page.getByLabel('Open a wallet in').inputValue(), 'GBP');

        await page.getByRole('button', { name: 'USD $65.00' }).click();
        await page.locator('#currency', { hasText: 'USD' }).waitFor();
        await page.getByLabel('To', { exact: true }).fill(euroWalletId);
        await page.getByLabel('Amount', { exact: true }).fill('1.00');
        await page.getByRole('button', { name: 'Review' }).click();
        await page.getByRole('button', { name: 'Confirm and send' }).click();
        await page.locator('#to-error', { hasText: 'different currency' }).waitFor();
        await shot(page, 'wallets-and-chart');
        await context.close();
      });

      it('works with the keyboard alone, and says when there were too many attempts', async () => {
        const url = env.server.url;
        const person = await signUp(url);
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(url);
        await page.locator('#login-form').waitFor();
        /** Enter in a field submits its form; one attempt is one request, answered before the next. */
        const pressEnter = async () => {
          await Promise.all([
            page.waitForResponse((response) => response.url().endsWith('/graphql')),
            page.keyboard.press('Enter'),
          ]);
          await page.locator('#login-form button:not([disabled])').waitFor();
        };
        await page.keyboard.press('Tab'); // the first field is the login email
        await page.keyboard.type(person.email);
        await page.keyboard.press('Tab');
        await page.keyboard.type('wrong-password');
        for (let attempt = 0; attempt < 3; attempt++) await pressEnter();
        await page.locator('#login-error', { hasText: 'wrong' }).waitFor();
        await page.keyboard.press('Control+A');
        await page.keyboard.type(person.password);
        await pressEnter();
        await page.locator('#login-error', { hasText: 'Too many attempts' }).waitFor();
        await context.close();
      });

      it('forgets everything of one person at logout and at expiry: page, forms, storage', async () => {
        const url = env.server.url;
        const { context, page, person } = await signedInPage(['50.00'], 'Ada Private');
        const next = await signUp(url, 'Bob Next');
        const recipient = await signUp(url, 'Cleo Recipient');
        await page.locator('#balance', { hasText: '50.00' }).waitFor();
        await page.getByLabel('To', { exact: true }).fill(recipient.email);
        await page.getByLabel('Amount', { exact: true }).fill('7.77');
        await page.getByLabel('Note', { exact: true }).fill('sent-note-secret');
        await page.getByRole('button', { name: 'Review' }).click();
        await page.getByRole('button', { name: 'Confirm and send' }).click();
        await page.locator('#send-result', { hasText: 'Sent $7.77 to' }).waitFor();
        await page.locator('#send-result a').click(); // the receipt, then back
        await page.locator('#receipt-figures', { hasText: 'sent-note-secret' }).waitFor();
        await page.getByRole('link', { name: 'Back to the wallet' }).click();
        await page.getByLabel('Open a wallet in').selectOption('GBP');
        await page.getByRole('button', { name: 'Open wallet' }).click();
        await page.locator('#currency', { hasText: 'GBP' }).waitFor();
        const otherWalletId = (await page.locator('#wallet-id').textContent()) ?? '';
        await page.getByRole('button', { name: 'USD $42.23' }).click();
        await page.locator('#currency', { hasText: 'USD' }).waitFor();
        // A payment begun and not sent, with an error beside it.
        await page.getByLabel('To', { exact: true }).fill('unsent-recipient-secret');
        await page.getByLabel('Amount', { exact: true }).fill('3.339');
        await page.getByLabel('Note', { exact: true }).fill('unsent-note-secret');
        await page.locator('#amount-error', { hasText: 'at most 2 decimals' }).waitFor();

        /** Asserts that nothing of `secrets` is in the page, any form field or the storage. */
        const assertForgotten = async (secrets: string[]) => {
          const html = await page.content();
          const values = await page
            .locator('input, select, textarea')
            .evaluateAll((fields) => fields.map((f) => (f as unknown as { value: string }).value));
          // Runs in the page, where the storage objects are globals.
          const stored = await page.evaluate(
            'window.localStorage.length + window.sessionStorage.length',
          );
          for (const secret of secrets) {
            assert.ok(!html.includes(secret), `the page still shows ${secret}`);
            assert.ok(!values.some((v) => v.includes(secret)), `a field still holds ${secret}`);
          }
          assert.equal(stored, 0, 'nothing is left in the browser storage');
        };

        await page.getByRole('button', { name: 'Log out' }).click();
        await page.locator('#notice', { hasText: 'You are logged out.' }).waitFor();
        const secretsOfFirst = [
          'Ada Private',
          person.email,
          person.walletId,
          otherWalletId,
          recipient.walletId,
          'Cleo Recipient',
          'Sent $7.77',
          '7.77',
          '42.23',
          'sent-note-secret',
          'unsent-recipient-secret',
          '3.339',
          'unsent-note-secret',
          'at most 2 decimals',
        ];
        await assertForgotten(secretsOfFirst);
        await shot(page, 'after-logout');

        const loginForm = page.locator('#login-form');
        await loginForm.getByLabel('Email').fill(next.email);
        await loginForm.getByLabel('Password').fill(next.password);
        await loginForm.getByRole('button', { name: 'Log in' }).click();
        await page.locator('#wallet-id', { hasText: next.walletId }).waitFor();
        assert.equal(await page.locator('#balance').textContent(), '$0.00');
        assert.equal(
          await page.locator('#wallet-list button').count(),
          1,
          "only the next person's",
        );
        await assertForgotten(secretsOfFirst);

        // A session that expires forgets as much.
        await page.getByLabel('Note', { exact: true }).fill('second-unsent-secret');
        await executeOnDatabase(env.database.url, ['DELETE FROM sessions']);
        await page.locator('#notice', { hasText: 'Your session has expired' }).waitFor({
          timeout: 15_000,
        });
        await assertForgotten(['Bob Next', next.walletId, 'second-unsent-secret']);
        await context.close();
      });

      it('pages operations with Load more, and sends an expired session back to log in', async () => {
        const { context, page } = await signedInPage(
          Array.from({ length: 25 }, (_, i) => `${i + 1}.00`),
        );
        await page.locator('#balance', { hasText: '325.00' }).waitFor();
        await page.locator('#operations tr').nth(19).waitFor(); // the first page has loaded
        assert.equal(await page.locator('#operations tr').count(), 20);
        await page.getByRole('button', { name: 'Load more' }).click();
        await page.locator('#operations tr').nth(24).waitFor();
        assert.equal(await page.locator('#operations tr').count(), 25);
        assert.equal(await page.getByRole('button', { name: 'Load more' }).isHidden(), true);

        // Ended behind this server's back (as by another instance): the next request sees it.
        await executeOnDatabase(env.database.url, ['DELETE FROM sessions']);
        await page.getByLabel('To', { exact: true }).fill(randomUUID());
        await page.getByLabel('Amount', { exact: true }).fill('1.00');
        await page.getByRole('button', { name: 'Review' }).click();
        await page.getByRole('button', { name: 'Confirm and send' }).click();
        await page.locator('#notice', { hasText: 'Your session has expired' }).waitFor();
        assert.equal(await page.locator('#login-form').isVisible(), true);
        await context.close();
      });
    });
  }
}
