/**
 * Payment requests: asking someone for money, and the requests each way
 * with what can still be done to them (pay or decline what was asked of
 * you; cancel what you asked), their states and when they expire. Paying
 * asks first ("Pay $8.00 to Dan Okafor?"), and a request the wallet cannot
 * cover is said beside it before anything is asked.
 */
import {
  CANCEL_REQUEST,
  DECLINE_REQUEST,
  GraphQLFailure,
  PAY_REQUEST,
  REQUEST_PAYMENT,
  REQUESTS,
  gql,
} from './api.js';
import type { PaymentRequest, RequestStatus } from './api.js';
import { Confirmation, confirmParts, moneyQuestion } from './confirm.js';
import { $, element, fieldError, when } from './dom.js';
import { decimalOf, formatMoney, minorUnits, precisionOf, requiredAmountProblem } from './money.js';
import { keyDone, keyFor, ownWallet, state } from './state.js';
import { plainWords, sessionEnded } from './words.js';

const STATUS_WORDS: Record<RequestStatus, string> = {
  PENDING: 'Waiting',
  PAID: 'Paid',
  DECLINED: 'Declined',
  CANCELED: 'Canceled',
  EXPIRED: 'Expired',
};

/** Refusals of paying, declining or canceling, in words for a request. */
const ANSWER_WORDS = {
  CURRENCY_MISMATCH: 'You have no wallet in this currency to pay from. Open one first.',
  INSUFFICIENT_FUNDS: 'There is not enough money in your wallet to pay this.',
  ALREADY_RESOLVED: 'This request was already answered, so nothing was changed.',
  EXPIRED: 'This request has expired, so nothing was changed.',
};

const ASK_WORDS = {
  NOT_FOUND: 'Nobody with this email has an account here. Check the address.',
  CURRENCY_MISMATCH: 'This person has no wallet in this currency.',
};

/**
 * Why the person cannot pay `request` from their wallet in its currency, as
 * last read, or '': the words say what is available.
 */
function payProblem(request: PaymentRequest): string {
  const wallet = ownWallet({ currency: request.currency });
  if (wallet === null) return ANSWER_WORDS.CURRENCY_MISMATCH;
  if (minorUnits(request.amount) <= minorUnits(wallet.availableBalance)) return '';
  const available = formatMoney(wallet.availableBalance, wallet.currency);
  return `There is not enough money in your wallet to pay this. You have ${available} available.`;
}

/** The fingerprint of what the lists show, so a refresh redraws them only on a change. */
export function requestsFingerprint(lists: { nodes: { id: string; status: string }[] }[]): string {
  return JSON.stringify(lists.map((list) => list.nodes.map((r) => `${r.id}:${r.status}`)));
}

export async function loadRequests(onPaid: () => Promise<void>): Promise<void> {
  const data = await gql<{
    incoming: { nodes: PaymentRequest[] };
    outgoing: { nodes: PaymentRequest[] };
  }>(REQUESTS);
  state.current.requestsShown = requestsFingerprint([data.incoming, data.outgoing]);
  $('incoming-requests').replaceChildren(
    ...data.incoming.nodes.map((r) => requestItem(r, 'INCOMING', onPaid)),
  );
  $('outgoing-requests').replaceChildren(
    ...data.outgoing.nodes.map((r) => requestItem(r, 'OUTGOING', onPaid)),
  );
  $('incoming').hidden = data.incoming.nodes.length === 0;
  $('no-outgoing').hidden = data.outgoing.nodes.length > 0;
}

function requestItem(
  request: PaymentRequest,
  direction: 'INCOMING' | 'OUTGOING',
  onPaid: () => Promise<void>,
): HTMLLIElement {
  const money = formatMoney(request.amount, request.currency);
  const headline =
    direction === 'INCOMING'
      ? `${request.requester.name} asks you for ${money}`
      : `You asked ${request.payer.name} for ${money}`;
  const standing =
    request.status === 'PENDING'
      ? `${STATUS_WORDS.PENDING} · expires ${when(request.expiresAt)}`
      : STATUS_WORDS[request.status];
  const item = element(
    'li',
    { className: `request ${request.status.toLowerCase()}` },
    element(
      'p',
      { className: 'request-what' },
      element('strong', {}, headline),
      request.details ? ` — ${request.details}` : '',
    ),
    element('p', { className: 'request-state' }, `${standing} · asked ${when(request.createdAt)}`),
  );
  if (request.status === 'PAID' && request.transfer) {
    item.append(element('a', { href: `#transfer/${request.transfer.id}` }, 'See the receipt'));
  }
  if (request.status !== 'PENDING') return item;
  const error = element('p', {
    className: 'error',
    role: 'alert',
    id: `request-${request.id}-error`,
  });
  const act = (label: string, accessibleName: string, run: () => Promise<void>) => {
    const button = element(
      'button',
      { type: 'button', className: 'secondary', 'aria-label': accessibleName },
      label,
    );
    button.addEventListener('click', async () => {
      if (button.disabled) return;
      button.disabled = true;
      error.textContent = '';
      try {
        await run();
        await loadRequests(onPaid);
      } catch (failure) {
        if (!sessionEnded(failure)) error.textContent = plainWords(failure, ANSWER_WORDS);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  const actions = element('div', { className: 'actions' });
  item.append(actions);
  if (direction === 'INCOMING') {
    const from = request.requester.name;
    const { pay, confirm } = payAction(request, money, error, onPaid);
    actions.append(
      pay,
      act('Decline', `Decline ${from}'s request for ${money}`, async () => {
        await gql(DECLINE_REQUEST, { id: request.id });
      }),
    );
    item.append(confirm);
  } else {
    actions.append(
      act('Cancel', `Cancel your request to ${request.payer.name} for ${money}`, async () => {
        await gql(CANCEL_REQUEST, { id: request.id });
      }),
    );
  }
  item.append(error);
  return item;
}

/**
 * The Pay button of a request asked of the person, and its confirmation:
 * what the wallet cannot cover is said in `error` instead of asking; what
 * is confirmed is paid once, and then everything is read again (`onPaid`).
 */
function payAction(
  request: PaymentRequest,
  money: string,
  error: HTMLElement,
  onPaid: () => Promise<void>,
): { pay: HTMLButtonElement; confirm: HTMLElement } {
  const from = request.requester.name;
  const pay = element(
    'button',
    { type: 'button', 'aria-label': `Pay ${money} to ${from}`, 'aria-describedby': error.id },
    'Pay',
  );
  const parts = confirmParts(`pay-${request.id}`, 'Pay', 'Not now');
  const confirmation = new Confirmation(parts, () => pay.focus());
  pay.addEventListener('click', () => {
    if (confirmation.busy) return;
    error.textContent = payProblem(request);
    if (error.textContent !== '') return confirmation.hide();
    confirmation.ask(moneyQuestion('Pay', money, from), async () => {
      const fingerprint = `pay:${request.id}`;
      try {
        await gql(PAY_REQUEST, { id: request.id, key: keyFor(fingerprint) });
        keyDone(fingerprint);
        confirmation.hide();
        await onPaid();
      } catch (failure) {
        confirmation.hide();
        if (sessionEnded(failure)) return;
        const short = failure instanceof GraphQLFailure && failure.code === 'INSUFFICIENT_FUNDS';
        error.textContent = (short && payProblem(request)) || plainWords(failure, ANSWER_WORDS);
        pay.focus();
      }
    });
  });
  return { pay, confirm: parts.box };
}

export function wireRequestForm(onPaid: () => Promise<void>): void {
  const form = $<HTMLFormElement>('request-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const wallet = state.current.wallet;
    const button = form.querySelector('button') as HTMLButtonElement;
    if (!wallet || button.disabled) return;
    const email = $<HTMLInputElement>('request-from').value.trim();
    const typed = $<HTMLInputElement>('request-amount').value.trim();
    const note = $<HTMLInputElement>('request-note').value.trim();
    fieldError('request-from-error', 'request-from', '');
    fieldError('request-amount-error', 'request-amount', '');
    fieldError('request-error', null, '');
    $('request-result').textContent = '';
    const problem = requiredAmountProblem(typed, wallet.currency, precisionOf(wallet.balance));
    if (problem) fieldError('request-amount-error', 'request-amount', problem);
    if (email === '')
      fieldError('request-from-error', 'request-from', 'Enter the email of the person to ask.');
    if (problem || email === '') return;
    const input = {
      payerEmail: email,
      amount: decimalOf(typed),
      toWalletId: wallet.id,
      details: note === '' ? null : note,
    };
    const fingerprint = JSON.stringify(['ask', input]);
    button.disabled = true;
    try {
      const { requestPayment } = await gql<{ requestPayment: PaymentRequest }>(REQUEST_PAYMENT, {
        input: { ...input, idempotencyKey: keyFor(fingerprint) },
      });
      keyDone(fingerprint);
      form.reset();
      $('request-result').textContent =
        `Asked ${requestPayment.payer.name} for ${formatMoney(requestPayment.amount, requestPayment.currency)}.`;
      await loadRequests(onPaid);
    } catch (error) {
      if (sessionEnded(error)) return;
      const words = plainWords(error, ASK_WORDS);
      const code = error instanceof GraphQLFailure ? error.code : '';
      const field = error instanceof GraphQLFailure ? error.details.field : undefined;
      if (code === 'NOT_FOUND' || code === 'CURRENCY_MISMATCH' || field === 'payerEmail') {
        fieldError('request-from-error', 'request-from', words);
      } else if (field === 'amount') fieldError('request-amount-error', 'request-amount', words);
      else fieldError('request-error', null, words);
    } finally {
      button.disabled = false;
    }
  });
}
