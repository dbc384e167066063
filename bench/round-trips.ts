/**
 * `npm run bench:round-trips`: how many round trips to PostgreSQL each
 * movement's request costs, counted (not timed) in a real server on a fresh
 * database, signed in, after one warm-up of each. On a machine as noisy as
 * ours a count says where time goes better than a rate does.
 *
 *   POSTGRES_TEST_URL=postgres://… npm run bench:round-trips
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { freshDatabase } from '../testkit/databases';
import { DEPOSIT, SEND, WITHDRAW, fundedPerson, signInProvider } from '../testkit/fixtures';
import { startServerOn, type TestServer } from '../testkit/server';
import type { Client } from '../testkit/client';

const PRELOAD = path.resolve(__dirname, 'count-round-trips.js');

/** The server's count so far: it prints it when signalled. */
async function roundTripsSoFar(server: TestServer): Promise<number> {
  const seen = server
    .output()
    .split('\n')
    .filter((line) => line.includes('"round trips"')).length;
  server.process.kill('SIGUSR2');
  for (;;) {
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"round trips"'));
    if (lines.length > seen) return JSON.parse(lines[lines.length - 1]).roundTrips as number;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const HOLD = `mutation($input: AuthorizeHoldInput!) { authorizeHold(input: $input) { hold { id } } }`;
const CAPTURE = `mutation($input: CaptureHoldInput!) { captureHold(input: $input) { hold { id } } }`;
const VOID = `mutation($id: ID!) { voidHold(holdId: $id) { hold { id } } }`;
const REFUND = `mutation($input: RefundTransferInput!) {
  refundTransfer(input: $input) { transfer { id } wallet { balance } } }`;
const ASK = `mutation($input: RequestPaymentInput!) { requestPayment(input: $input) { id } }`;
const PAY = `mutation($id: ID!, $key: String) {
  payPaymentRequest(id: $id, idempotencyKey: $key) { transfer { id } wallet { balance } } }`;

interface Step {
  name: string;
  /** Set-up the count leaves out (asking, authorizing), then the request counted. */
  run(count: <T>(request: () => Promise<T>) => Promise<T>): Promise<void>;
}

async function main(): Promise<void> {
  if (!process.env.POSTGRES_TEST_URL) {
    throw new Error('bench:round-trips needs POSTGRES_TEST_URL (a server to create a database on)');
  }
  const database = await freshDatabase('postgres');
  const server = await startServerOn(database.url, {}, ['--require', PRELOAD]);
  try {
    const provider = await signInProvider(server.url);
    const alice = await fundedPerson(server.url, provider, '1000', 'Alice');
    const bob = await fundedPerson(server.url, provider, '1000', 'Bob');
    const hold = async (client: Client) =>
      (
        await client.ok(HOLD, {
          input: { walletId: alice.walletId, amount: '1', reference: randomUUID() },
        })
      ).authorizeHold.hold.id as string;
    const steps: Step[] = [
      {
        name: 'walletToWallet',
        run: (count) =>
          count(() =>
            alice.client.ok(SEND, {
              input: { toWalletId: bob.walletId, amount: '1', idempotencyKey: randomUUID() },
            }),
          ).then(() => undefined),
      },
      {
        name: 'externalToWallet',
        run: (count) =>
          count(() =>
            provider.ok(DEPOSIT, {
              input: { walletId: alice.walletId, amount: '1', reference: randomUUID() },
            }),
          ).then(() => undefined),
      },
      {
        name: 'walletToExternal',
        run: (count) =>
          count(() =>
            provider.ok(WITHDRAW, {
              input: { walletId: alice.walletId, amount: '1', reference: randomUUID() },
            }),
          ).then(() => undefined),
      },
      { name: 'authorizeHold', run: (count) => count(() => hold(provider)).then(() => undefined) },
      {
        name: 'captureHold',
        run: async (count) => {
          const id = await hold(provider);
          await count(() => provider.ok(CAPTURE, { input: { holdId: id } }));
        },
      },
      {
        name: 'voidHold',
        run: async (count) => {
          const id = await hold(provider);
          await count(() => provider.ok(VOID, { id }));
        },
      },
      {
        name: 'refundTransfer',
        run: async (count) => {
          const sent = await alice.client.ok(SEND, {
            input: { toWalletId: bob.walletId, amount: '2', idempotencyKey: randomUUID() },
          });
          await count(() =>
            bob.client.ok(REFUND, {
              input: { transferId: sent.walletToWallet.transfer.id, idempotencyKey: randomUUID() },
            }),
          );
        },
      },
      {
        name: 'payPaymentRequest',
        run: async (count) => {
          const asked = await bob.client.ok(ASK, {
            input: { payerEmail: alice.email, amount: '1' },
          });
          await count(() =>
            alice.client.ok(PAY, { id: asked.requestPayment.id, key: randomUUID() }),
          );
        },
      },
    ];
    console.log('round trips to PostgreSQL per request (signed in, after a warm-up):');
    for (const step of steps) {
      let counted = 0;
      const count = async <T>(request: () => Promise<T>) => {
        const before = await roundTripsSoFar(server);
        const result = await request();
        // What a request does after its answer (a session's touch) is its too.
        await new Promise((resolve) => setTimeout(resolve, 50));
        counted = (await roundTripsSoFar(server)) - before;
        return result;
      };
      await step.run(count); // warm-up: statements prepared on this connection
      await step.run(count);
      console.log(`  ${step.name.padEnd(20)} ${counted}`);
    }
  } finally {
    await server.stop();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
