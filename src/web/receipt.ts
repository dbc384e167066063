/**
 * The receipt of one transfer, at its own address (#transfer/<id>) so it
 * can be linked to: amount, time, both parties, the note, its id and what
 * was refunded. Its recipient can give all or part of it back from here.
 */
import { REFUND, TRANSFER, gql } from './api.js';
import type { Transfer } from './api.js';
import { $, element, fieldError, when } from './dom.js';
import { amountProblem, formatMoney, fromMinorUnits, minorUnits, precisionOf } from './money.js';
import { keyDone, keyFor, state } from './state.js';
import { plainWords, sessionEnded } from './words.js';

const RECEIPT_ROUTE = /^#transfer\/([0-9a-fA-F-]{36})$/;

/** The transfer id the address asks for, or null for the wallet itself. */
export function receiptInAddress(): string | null {
  return RECEIPT_ROUTE.exec(location.hash)?.[1] ?? null;
}

let shown: Transfer | null = null;
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
  latest++; // and one on its way draws nothing
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
  const remaining = minorUnits(transfer.amount) - minorUnits(transfer.refundedAmount);
  const received = state.current.wallets.some((w) => w.id === transfer.to.walletId);
  if (received && transfer.refundOf === null && remaining > 0n) {
    const left = fromMinorUnits(remaining, precisionOf(transfer.amount));
    $('refund-remaining').textContent =
      `You can give back up to ${money(left)}. Leave the amount empty to give back all of it.`;
    $('refund-form').hidden = false;
  }
}

export function wireRefundForm(afterRefund: () => Promise<void>): void {
  const form = $<HTMLFormElement>('refund-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const transfer = shown;
    const button = form.querySelector('button') as HTMLButtonElement;
    if (transfer === null || button.disabled) return;
    const amount = $<HTMLInputElement>('refund-amount').value.trim();
    fieldError('refund-error', 'refund-amount', '');
    $('refund-result').textContent = '';
    const problem = amountProblem(amount, transfer.currency, precisionOf(transfer.amount));
    if (problem) return fieldError('refund-error', 'refund-amount', problem);
    const input = { transferId: transfer.id, amount: amount === '' ? null : amount };
    const fingerprint = JSON.stringify(['refund', input, transfer.refundedAmount]);
    button.disabled = true;
    try {
      const { refundTransfer } = await gql<{
        refundTransfer: { transfer: { amount: string; currency: string } };
      }>(REFUND, { input: { ...input, idempotencyKey: keyFor(fingerprint) } });
      keyDone(fingerprint);
      form.reset();
      await showReceipt(transfer.id);
      $('refund-result').textContent =
        `Gave back ${formatMoney(refundTransfer.transfer.amount, refundTransfer.transfer.currency)}.`;
      await afterRefund();
    } catch (error) {
      if (sessionEnded(error)) return;
      fieldError('refund-error', 'refund-amount', plainWords(error, REFUND_WORDS));
    } finally {
      button.disabled = false;
    }
  });
}
