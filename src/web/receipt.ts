/**
 * The receipt of one transfer, at its own address (#transfer/<id>) so it
 * can be linked to: amount, time, both parties, the note, its id and what
 * was refunded (a refund's receipt says so, and links to what it refunds).
 * Its recipient can give part of it back, or all that is left with a
 * button of its own; either asks first ("Give back $40.00 to Eve
 * Martin?"), and more than is left or than the wallet has is said beside
 * the amount before anything is asked.
 */
import { GraphQLFailure, REFUND, TRANSFER, gql } from './api.js';
import type { Transfer } from './api.js';
import { Confirmation, confirmParts, moneyQuestion } from './confirm.js';
import { $, element, fieldError, when } from './dom.js';
import {
  decimalOf,
  formatMoney,
  fromMinorUnits,
  minorUnits,
  minorUnitsAt,
  precisionOf,
  requiredAmountProblem,
} from './money.js';
import { keyDone, keyFor, ownWallet, state } from './state.js';
import { plainWords, sessionEnded } from './words.js';

const RECEIPT_ROUTE = /^#transfer\/([0-9a-fA-F-]{36})$/;

/** The transfer id the address asks for, or null for the wallet itself. */
export function receiptInAddress(): string | null {
  return RECEIPT_ROUTE.exec(location.hash)?.[1] ?? null;
}

let shown: Transfer | null = null;
let confirmation: Confirmation | null = null;
/** The latest showReceipt call: an older one's answer, arriving later, draws nothing. */
let latest = 0;

const REFUND_WORDS = {
  INSUFFICIENT_FUNDS: 'There is not enough money in your wallet to give this back.',
};

const RECEIPT_WORDS = {
  NOT_FOUND: 'There is no transfer with this id.',
  FORBIDDEN: 'This transfer is not one of yours.',
};

function party(name: string, walletId: string): HTMLElement {
  return element(
    'span',
    {},
    element('strong', {}, name),
    element('br'),
    element('code', {}, walletId),
  );
}

/** Nobody signed in: no transfer is kept to refund. */
export function forgetReceipt(): void {
  shown = null;
  confirmation?.hide();
  latest++; // and one on its way draws nothing
}

/** What of `transfer` is left to give back, in minor units. */
function leftMinor(transfer: Transfer): bigint {
  return minorUnits(transfer.amount) - minorUnits(transfer.refundedAmount);
}

/**
 * Why `amount` (an amount in the transfer's currency) cannot be given back
 * now, as last read, or '': the words say what is left, or available.
 */
function refundProblem(transfer: Transfer, amount: string): string {
  const precision = precisionOf(transfer.amount);
  const asked = minorUnitsAt(amount, precision);
  const left = leftMinor(transfer);
  if (asked > left) {
    return `${formatMoney(fromMinorUnits(left, precision), transfer.currency)} is left to give back.`;
  }
  const wallet = ownWallet({ id: transfer.to.walletId });
  if (wallet !== null && asked > minorUnits(wallet.availableBalance)) {
    const available = formatMoney(wallet.availableBalance, wallet.currency);
    return `There is not enough money in your wallet to give this back. You have ${available} available.`;
  }
  return '';
}

/** Fetches the transfer, then redraws the receipt at once (a refresh never blanks it). */
export async function showReceipt(id: string): Promise<void> {
  const turn = ++latest;
  let transfer: Transfer | null;
  let failure = '';
  try {
    transfer = (await gql<{ transfer: Transfer | null }>(TRANSFER, { id })).transfer;
  } catch (error) {
    if (sessionEnded(error)) return;
    transfer = null;
    failure = plainWords(error, RECEIPT_WORDS);
  }
  if (turn !== latest) return;
  // A confirmation asked of another transfer, or of what was left before, is no longer asked.
  if (shown?.id !== transfer?.id || shown?.refundedAmount !== transfer?.refundedAmount) {
    confirmation?.hide();
  }
  const figures = $('receipt-figures');
  figures.replaceChildren();
  $('refund-form').hidden = true;
  $('receipt-refunds-part').hidden = true;
  shown = null;
  $('receipt-error').textContent = transfer === null ? failure || RECEIPT_WORDS.NOT_FOUND : '';
  $('receipt-title').textContent = transfer?.refundOf ? 'Receipt of a refund' : 'Receipt';
  if (transfer === null) return;
  shown = transfer;
  const money = (amount: string) => formatMoney(amount, transfer.currency);
  const rows: [string, Node | string][] = [
    ['Amount', money(transfer.amount)],
    ['Date', when(transfer.createdAt)],
    ['From', party(transfer.from.name, transfer.from.walletId)],
    ['To', party(transfer.to.name, transfer.to.walletId)],
    ['Note', transfer.details ?? '—'],
    ['Transfer id', element('code', {}, transfer.id)],
  ];
  if (transfer.refundOf !== null) {
    rows.push([
      'Refund of',
      element('a', { href: `#transfer/${transfer.refundOf}` }, 'the original transfer'),
    ]);
  } else {
    rows.push(['Refunded', money(transfer.refundedAmount)]);
  }
  figures.append(
    ...rows.map(([term, value]) =>
      element('div', {}, element('dt', {}, term), element('dd', {}, value)),
    ),
  );

  if (transfer.refunds.length > 0) {
    $('receipt-refunds').replaceChildren(
      ...transfer.refunds.map((refund) =>
        element(
          'li',
          {},
          element(
            'a',
            { href: `#transfer/${refund.id}` },
            `${money(refund.amount)} on ${when(refund.createdAt)}`,
          ),
        ),
      ),
    );
    $('receipt-refunds-part').hidden = false;
  }
  const remaining = leftMinor(transfer);
  const received = state.current.wallets.some((w) => w.id === transfer.to.walletId);
  if (received && transfer.refundOf === null && remaining > 0n) {
    const left = money(fromMinorUnits(remaining, precisionOf(transfer.amount)));
    $('refund-remaining').textContent = `You can give back up to ${left}.`;
    $('refund-all').textContent = `Give back all (${left})`;
    $('refund-form').hidden = false;
  }
}

/** Gives back what was confirmed (the confirmation runs it once however often it is clicked). */
async function refund(
  transfer: Transfer,
  amount: string,
  afterRefund: () => Promise<void>,
): Promise<void> {
  const input = { transferId: transfer.id, amount };
  const fingerprint = JSON.stringify(['refund', input, transfer.refundedAmount]);
  try {
    const { refundTransfer } = await gql<{
      refundTransfer: { transfer: { amount: string; currency: string } };
    }>(REFUND, { input: { ...input, idempotencyKey: keyFor(fingerprint) } });
    keyDone(fingerprint);
    confirmation?.hide();
    $<HTMLFormElement>('refund-form').reset();
    await showReceipt(transfer.id);
    $('refund-result').textContent =
      `Gave back ${formatMoney(refundTransfer.transfer.amount, refundTransfer.transfer.currency)}.`;
    await afterRefund();
  } catch (error) {
    confirmation?.hide();
    if (sessionEnded(error)) return;
    const code = error instanceof GraphQLFailure ? error.code : '';
    if (code === 'EXCEEDS_REMAINING' || code === 'INSUFFICIENT_FUNDS') {
      // Given back or spent meanwhile: read the transfer again, and say what is left.
      await showReceipt(transfer.id);
      const problem = shown?.id === transfer.id ? refundProblem(shown, amount) : '';
      fieldError('refund-error', 'refund-amount', problem || plainWords(error, REFUND_WORDS));
      return;
    }
    fieldError('refund-error', 'refund-amount', plainWords(error, REFUND_WORDS));
  }
}

export function wireRefundForm(afterRefund: () => Promise<void>): void {
  const form = $<HTMLFormElement>('refund-form');
  const field = $<HTMLInputElement>('refund-amount');
  const parts = confirmParts('refund', 'Give back');
  form.append(parts.box);
  const asking = new Confirmation(parts, () => field.focus());
  confirmation = asking;
  /** Says why `amount` (a decimal string) cannot be given back, or asks to confirm it. */
  const ask = (transfer: Transfer, amount: string) => {
    $('refund-result').textContent = '';
    const problem = refundProblem(transfer, amount);
    fieldError('refund-error', 'refund-amount', problem);
    if (problem !== '') return asking.hide();
    const money = formatMoney(amount, transfer.currency, precisionOf(transfer.amount));
    asking.ask(moneyQuestion('Give back', money, transfer.from.name), () =>
      refund(transfer, amount, afterRefund),
    );
  };
  // Anything typed after the question needs a new one: what is confirmed is what is given.
  form.addEventListener('input', () => asking.hide());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (shown === null || asking.busy) return;
    const typed = field.value.trim();
    const problem = requiredAmountProblem(typed, shown.currency, precisionOf(shown.amount));
    fieldError('refund-error', 'refund-amount', problem);
    if (problem !== '') return asking.hide();
    ask(shown, decimalOf(typed));
  });
  // All that is left is its own button, never an empty field.
  $('refund-all').addEventListener('click', () => {
    if (shown === null || asking.busy) return;
    ask(shown, fromMinorUnits(leftMinor(shown), precisionOf(shown.amount)));
  });
}
