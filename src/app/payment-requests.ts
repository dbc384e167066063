/**
 * Payment requests that move no money: asking (requestPayment), declining
 * and canceling. Paying one is a movement (ledger/movements/pay-request.ts).
 * Each resolution is one conditional UPDATE of a PENDING, unexpired request
 * (the database's clock), so of a pay, a decline and a cancel at the same
 * moment exactly one changes it; the others find it resolved.
 */
import type { Database } from '../db/database';
import { isUniqueViolation } from '../db/errors';
import { isUuid, ledgerId } from '../db/ids';
import {
  findPaymentRequest,
  findPaymentRequestByKey,
  findWalletOf,
  insertPaymentRequest,
  markExpiredPaymentRequests,
  paymentRequestsPage,
  walletsById,
} from '../db/queries';
import { assertIsParty, assertOwnWallet } from '../domain/access';
import type { Caller } from '../domain/caller';
import type { PaymentRequestStatus } from '../domain/enums';
import { expiresInSecondsOr } from '../domain/limits';
import { parseAmountMinor } from '../domain/money';
import { lists, pageRequest, toPage, type Page } from '../domain/pages';
import { personByEmail } from './recipients';
import type { Services } from './services';
import { existingWallet, getWallet, ownWalletIn } from './wallets';
import type { PayRequestResult, PaymentRequestRow, WalletRow } from '../domain/records';
import type { PaymentRequestId, UserId, WalletId } from '../domain/ids';
import { DomainError, idempotencyConflict } from '../domain/errors';
import type { Currencies } from '../domain/currencies';
import { paymentRequestEvent } from '../ledger/event-data';
import { appendEvents } from '../ledger/events';
import { resolvePaymentRequest, unresolvable } from '../ledger/payment-requests';

export interface NewPaymentRequest {
  requesterUserId: UserId;
  requesterWallet: WalletRow;
  payerUserId: UserId;
  payerWallet: WalletRow;
  amountMinor: bigint;
  details: string | null;
  expiresInSeconds: number;
  idempotencyKey: string | null;
  /** Of the requester wallet's currency, for its event. */
  precision: number;
}

const conflict = () => idempotencyConflict('idempotency key', 'request');

/** Asks the payer; a repeat with the same key and arguments is answered with the first request. */
async function createPaymentRequest(
  db: Database,
  request: NewPaymentRequest,
): Promise<PaymentRequestRow> {
  const id = ledgerId() as PaymentRequestId;
  let created: PaymentRequestRow;
  try {
    created = await db.transaction(async (sql) => {
      await insertPaymentRequest(sql, id, {
        ...request,
        requesterWalletId: request.requesterWallet.id,
        payerWalletId: request.payerWallet.id,
        currency: request.requesterWallet.currency,
      });
      const row = (await findPaymentRequest(sql, id)) as PaymentRequestRow;
      await appendEvents(sql, [
        paymentRequestEvent('PAYMENT_REQUEST_CREATED', row, request.precision),
      ]);
      return row;
    });
  } catch (error) {
    if (!isUniqueViolation(error) || request.idempotencyKey === null) throw error;
    const key = request.idempotencyKey;
    const existing = await db.read((sql) =>
      findPaymentRequestByKey(sql, request.requesterUserId, key),
    );
    if (existing === null) throw error;
    const same =
      existing.payerUserId === request.payerUserId &&
      existing.requesterWalletId === request.requesterWallet.id &&
      existing.amountMinor === request.amountMinor &&
      existing.details === request.details &&
      existing.expiresAtMs - existing.createdAtMs === request.expiresInSeconds * 1000;
    if (!same) throw conflict();
    return existing;
  }
  return created;
}

/**
 * The payer declines, or the requester cancels: final. The same again
 * returns the request as it is; anything else is ALREADY_RESOLVED or EXPIRED.
 */
async function closePaymentRequest(
  db: Database,
  request: PaymentRequestRow,
  status: 'DECLINED' | 'CANCELED',
  precision: number,
): Promise<PaymentRequestRow> {
  return db.transaction(async (sql) => {
    const closed = await resolvePaymentRequest(sql, request, status, null);
    if (closed === null) {
      // The same again is answered with the request as it is.
      const now = (await findPaymentRequest(sql, request.id)) as PaymentRequestRow;
      if (now.status !== status) throw unresolvable(now);
      return now;
    }
    const type = status === 'DECLINED' ? 'PAYMENT_REQUEST_DECLINED' : 'PAYMENT_REQUEST_CANCELED';
    await appendEvents(sql, [paymentRequestEvent(type, closed, precision)]);
    return closed;
  });
}

/**
 * Stores as EXPIRED up to `limit` pending requests past their time (they
 * read as EXPIRED already), with their events. One conditional UPDATE, so
 * instances sweeping at once expire each request once.
 */
export async function expirePaymentRequests(
  db: Database,
  currencies: Currencies,
  limit: number,
): Promise<number> {
  return db.transaction(async (sql) => {
    const expired = await markExpiredPaymentRequests(sql, limit);
    const events = [];
    for (const id of expired) {
      const request = (await findPaymentRequest(sql, id)) as PaymentRequestRow;
      const precision = currencies.precision(request.currency);
      events.push(paymentRequestEvent('PAYMENT_REQUEST_EXPIRED', request, precision));
    }
    await appendEvents(sql, events);
    return expired.length;
  });
}

/** A payment request one of whose parties is the caller, or NOT_FOUND / FORBIDDEN. */
async function ownRequest(
  services: Services,
  caller: Caller,
  id: string,
  party: 'payer' | 'requester',
): Promise<PaymentRequestRow> {
  const request = await services.db.read((sql) => findPaymentRequest(sql, id));
  return mustBeParty(request, caller, party);
}

function mustBeParty(
  request: PaymentRequestRow | null,
  caller: Caller,
  party: 'payer' | 'requester',
): PaymentRequestRow {
  if (request === null) {
    throw new DomainError('NOT_FOUND', 'There is no payment request with this id.');
  }
  assertIsParty(caller, party === 'payer' ? request.payerUserId : request.requesterUserId, party);
  return request;
}

export interface RequestPaymentInput {
  payerEmail: string;
  amount: string;
  /** None: the caller's wallet in the default currency. */
  toWalletId?: string | null;
  details?: string | null;
  expiresInSeconds?: number | null;
  idempotencyKey?: string | null;
}

/** Asks the person with `payerEmail` to pay into one of the caller's wallets. */
export async function requestPayment(
  services: Services,
  caller: Caller,
  input: RequestPaymentInput,
): Promise<PaymentRequestRow> {
  const { db, currencies, config } = services;
  // The wallet is the caller's before the payer is looked up: what the lookup
  // answers is about that wallet's currency.
  const into =
    input.toWalletId === null || input.toWalletId === undefined
      ? await ownWalletIn(db, caller, config.defaultCurrency)
      : await getWallet(db, input.toWalletId);
  assertOwnWallet(caller, into.userId, 'ask');
  const payer = await personByEmail(db, input.payerEmail, 'payerEmail');
  if (payer.id === caller.userId) {
    throw new DomainError('BAD_USER_INPUT', 'You cannot ask yourself to pay you.', {
      field: 'payerEmail',
    });
  }
  const payerWallet = await db.read((sql) => findWalletOf(sql, payer.id, into.currency));
  if (payerWallet === null) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `The person with this email holds no ${into.currency} wallet.`,
    );
  }
  const precision = currencies.precision(into.currency);
  return createPaymentRequest(db, {
    requesterUserId: caller.userId,
    requesterWallet: into,
    payerUserId: payer.id,
    payerWallet,
    amountMinor: parseAmountMinor(input.amount, into.currency, precision),
    details: input.details ?? null,
    expiresInSeconds: expiresInSecondsOr(input.expiresInSeconds),
    idempotencyKey: input.idempotencyKey ?? null,
    precision,
  });
}

/** The caller's requests, newest first: those they are asked to pay, or those they made. */
export async function listPaymentRequests(
  services: Services,
  caller: Caller,
  direction: 'INCOMING' | 'OUTGOING',
  status: PaymentRequestStatus | null,
  first: number,
  after: string | null,
): Promise<Page<PaymentRequestRow>> {
  const page = pageRequest(first, after, lists.paymentRequests(caller.userId, direction, status));
  const rows = await services.db.read((sql) =>
    paymentRequestsPage(sql, caller.userId, direction, status, page),
  );
  return toPage(rows, page, (row) => row);
}

/** The payer pays it with one transfer, from the wallet asked or another of theirs. */
export async function payPaymentRequest(
  services: Services,
  caller: Caller,
  input: { id: string; fromWalletId?: string | null; idempotencyKey?: string | null },
): Promise<PayRequestResult> {
  const { request, source, target } = await requestToPay(services, caller, input);
  assertOwnWallet(caller, source.userId, 'pay');
  return services.ledger.payRequest({
    payerUserId: caller.userId,
    request,
    source,
    target,
    idempotencyKey: input.idempotencyKey ?? null,
  });
}

/**
 * A request the caller is asked to pay, and the wallets its payment moves
 * money between, read on one connection: the request once, its wallets
 * once. The ledger checks its status again under the locks.
 */
async function requestToPay(
  services: Services,
  caller: Caller,
  input: { id: string; fromWalletId?: string | null },
): Promise<{ request: PaymentRequestRow; source: WalletRow; target: WalletRow }> {
  const found = await services.db.read(async (sql) => {
    const request = await findPaymentRequest(sql, input.id);
    if (request === null) return null;
    const sourceId = input.fromWalletId ?? request.payerWalletId;
    const wallets = await walletsById(
      sql,
      [sourceId, request.requesterWalletId].filter(isUuid) as WalletId[],
    );
    const byId = (id: string) => wallets.find((wallet) => wallet.id === id);
    return { request, source: byId(sourceId), target: byId(request.requesterWalletId) };
  });
  const request = mustBeParty(found?.request ?? null, caller, 'payer');
  return {
    request,
    source: existingWallet(found?.source),
    target: existingWallet(found?.target),
  };
}

/** The payer declines it: final. */
export async function declinePaymentRequest(
  services: Services,
  caller: Caller,
  id: string,
): Promise<PaymentRequestRow> {
  const request = await ownRequest(services, caller, id, 'payer');
  const precision = services.currencies.precision(request.currency);
  return closePaymentRequest(services.db, request, 'DECLINED', precision);
}

/** The requester cancels it: final. */
export async function cancelPaymentRequest(
  services: Services,
  caller: Caller,
  id: string,
): Promise<PaymentRequestRow> {
  const request = await ownRequest(services, caller, id, 'requester');
  const precision = services.currencies.precision(request.currency);
  return closePaymentRequest(services.db, request, 'CANCELED', precision);
}
