/**
 * The other movement kinds' loads for `npm run bench`: deposits,
 * withdrawals, holds authorized, captured and voided, refunds and payment
 * requests paid, each as its own phase. A kind that acts on something made
 * before (a hold to capture, a transfer to refund, a request to pay) has that
 * made first, outside the measurement, one per request of its phase.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Client } from '../testkit/client';
import { DEPOSIT, SEND, WITHDRAW, type Person } from '../testkit/fixtures';
import { randomPair, type Request } from './load';

const AUTHORIZE = `mutation($input: AuthorizeHoldInput!) {
  authorizeHold(input: $input) { hold { id status } wallet { id balance availableBalance } } }`;
const CAPTURE = `mutation($input: CaptureHoldInput!) {
  captureHold(input: $input) { hold { id status } wallet { id balance availableBalance } } }`;
const VOID = `mutation($id: ID!) {
  voidHold(holdId: $id) { hold { id status } wallet { id balance availableBalance } } }`;
const REFUND = `mutation($input: RefundTransferInput!) {
  refundTransfer(input: $input) { transfer { id amount refundOf } operation { id balanceAfter } wallet { id balance } } }`;
const ASK = `mutation($input: RequestPaymentInput!) { requestPayment(input: $input) { id } }`;
const PAY = `mutation($id: ID!, $key: String) {
  payPaymentRequest(id: $id, idempotencyKey: $key) { transfer { id amount } operation { id balanceAfter } wallet { id balance } } }`;

/** One movement kind's phase. */
export interface KindLoad {
  /** Its mutation's name. */
  name: string;
  /**
   * Makes what `count` requests will act on, and says that the phase is
   * that many requests; without it the phase runs for the run's seconds.
   */
  prepare?(count: number): Promise<void>;
  next(): Request;
}

const body = (query: string, variables: Record<string, unknown>) =>
  JSON.stringify({ query, variables });

/** Runs `count` requests `concurrency` at a time; their answers' data, in order. */
async function made<T>(count: number, request: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await request(i);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return results;
}

export function kindLoads(provider: Client, people: Person[]): KindLoad[] {
  const anyone = () => people[randomInt(people.length)];
  const external = (query: string) => (): Request => ({
    cookie: provider.cookie ?? '',
    body: body(query, {
      input: { walletId: anyone().walletId, amount: '1.00', reference: randomUUID() },
    }),
  });
  const authorize = (walletId: string) => ({
    input: { walletId, amount: '1.00', reference: randomUUID() },
  });
  /** Holds to capture or void, one per request. */
  const holds = (): KindLoad['prepare'] & { ids: string[] } => {
    const ids: string[] = [];
    const prepare = async (count: number) => {
      ids.length = 0;
      ids.push(
        ...(await made(count, async () => {
          const data = await provider.ok(AUTHORIZE, authorize(anyone().walletId));
          return data.authorizeHold.hold.id as string;
        })),
      );
    };
    return Object.assign(prepare, { ids });
  };
  const toCapture = holds();
  const toVoid = holds();
  let transfers: { id: string; recipient: Person }[] = [];
  let requests: { id: string; payer: Person }[] = [];
  return [
    { name: 'externalToWallet', next: external(DEPOSIT) },
    { name: 'walletToExternal', next: external(WITHDRAW) },
    {
      name: 'authorizeHold',
      next: () => ({
        cookie: provider.cookie ?? '',
        body: body(AUTHORIZE, authorize(anyone().walletId)),
      }),
    },
    {
      name: 'captureHold',
      prepare: toCapture,
      next: () => ({
        cookie: provider.cookie ?? '',
        body: body(CAPTURE, { input: { holdId: toCapture.ids.pop() } }),
      }),
    },
    {
      name: 'voidHold',
      prepare: toVoid,
      next: () => ({ cookie: provider.cookie ?? '', body: body(VOID, { id: toVoid.ids.pop() }) }),
    },
    {
      name: 'refundTransfer',
      async prepare(count) {
        transfers = await made(count, async () => {
          const [sender, recipient] = randomPair(people.length).map((i) => people[i]);
          const data = await sender.client.ok(SEND, {
            input: { toWalletId: recipient.walletId, amount: '1.00', idempotencyKey: randomUUID() },
          });
          return { id: data.walletToWallet.transfer.id as string, recipient };
        });
      },
      next: () => {
        const { id, recipient } = transfers.pop() as (typeof transfers)[number];
        return {
          cookie: recipient.client.cookie ?? '',
          body: body(REFUND, { input: { transferId: id, idempotencyKey: randomUUID() } }),
        };
      },
    },
    {
      name: 'payPaymentRequest',
      async prepare(count) {
        requests = await made(count, async () => {
          const [requester, payer] = randomPair(people.length).map((i) => people[i]);
          const data = await requester.client.ok(ASK, {
            input: { payerEmail: payer.email, amount: '1.00' },
          });
          return { id: data.requestPayment.id as string, payer };
        });
      },
      next: () => {
        const { id, payer } = requests.pop() as (typeof requests)[number];
        return { cookie: payer.client.cookie ?? '', body: body(PAY, { id, key: randomUUID() }) };
      },
    },
  ];
}
