/**
 * Sending money: to an email or a wallet id, always through a confirmation
 * that names who will receive it ("Send $12.50 to Bob Smith?"). The money
 * goes to the wallet that was shown, never to a second lookup.
 */
import { GraphQLFailure, RECIPIENT, SEND, gql } from './api.js';
import type { Party, Wallet } from './api.js';
import { $, element, fieldError } from './dom.js';
import { amountProblem, formatMoney, precisionOf, requiredAmountProblem } from './money.js';
import { keyDone, keyFor, state } from './state.js';
import { plainWords, sessionEnded } from './words.js';

const FIELDS = { 'to-error': 'send-to', 'amount-error': 'send-amount', 'note-error': 'send-note' };
type Place = keyof typeof FIELDS | 'send-error';

/** What the person confirmed: where the money goes, how much, with which note. */
interface Reviewed {
  from: Wallet;
  to: Party | { walletId: string; name: null };
  amount: string;
  note: string | null;
}

let reviewed: Reviewed | null = null;

const RECIPIENT_WORDS = {
  NOT_FOUND: 'Nobody with this email has an account here. Check the address.',
  CURRENCY_MISMATCH: 'This person has no wallet in this currency.',
};

/** Where each refusal is said: next to the field it concerns. */
function placeOf(error: unknown): Place {
  if (!(error instanceof GraphQLFailure)) return 'send-error';
  switch (error.code) {
    case 'NOT_FOUND':
    case 'CURRENCY_MISMATCH':
      return 'to-error';
    case 'INSUFFICIENT_FUNDS':
      return 'amount-error';
    case 'BAD_USER_INPUT': {
      const field = error.details.field;
      if (field === 'toWalletId' || field === 'toEmail' || field === 'email') return 'to-error';
      if (field === 'amount') return 'amount-error';
      if (field === 'details') return 'note-error';
      return 'send-error';
    }
    default:
      return 'send-error';
  }
}

function say(place: Place, text: string): void {
  fieldError(place, place === 'send-error' ? null : FIELDS[place], text);
}

export function clearSendMessages(): void {
  for (const place of [...Object.keys(FIELDS), 'send-error'] as Place[]) say(place, '');
  hideConfirmation();
}

function hideConfirmation(): void {
  reviewed = null;
  $('send-confirm').hidden = true;
  $('send-question').textContent = '';
}

/** Checks the form, finds who the money would reach, and asks the person to confirm. */
async function review(wallet: Wallet): Promise<void> {
  const to = $<HTMLInputElement>('send-to').value.trim();
  const amount = $<HTMLInputElement>('send-amount').value.trim();
  const note = $<HTMLInputElement>('send-note').value.trim();
  clearSendMessages();
  $('send-result').replaceChildren();
  const problem = requiredAmountProblem(amount, wallet.currency, precisionOf(wallet.balance));
  if (problem) say('amount-error', problem);
  if (to === '') say('to-error', 'Enter an email or a wallet id.');
  if (problem || to === '') return;
  const byEmail = to.includes('@');
  let party: Reviewed['to'];
  try {
    party = byEmail
      ? (await gql<{ recipient: Party }>(RECIPIENT, { email: to, currency: wallet.currency }))
          .recipient
      : { walletId: to, name: null };
  } catch (error) {
    if (!sessionEnded(error)) say(placeOf(error), plainWords(error, RECIPIENT_WORDS));
    return;
  }
  if (state.current.wallet?.id !== wallet.id) return;
  reviewed = { from: wallet, to: party, amount, note: note === '' ? null : note };
  const money = formatMoney(amount, wallet.currency, precisionOf(wallet.balance));
  $('send-question').textContent =
    party.name === null
      ? `Send ${money} to the wallet ${party.walletId}?`
      : `Send ${money} to ${party.name}?`;
  $('send-confirm').hidden = false;
  $('send-yes').focus();
}

/** Sends what was confirmed, once however often it is clicked. */
async function send(afterSent: () => Promise<void>): Promise<void> {
  const button = $<HTMLButtonElement>('send-yes');
  if (button.disabled || reviewed === null) return;
  const { from, to, amount, note } = reviewed;
  const input = { fromWalletId: from.id, toWalletId: to.walletId, amount, details: note };
  const fingerprint = JSON.stringify(['send', input]);
  button.disabled = true;
  try {
    const result = await gql<{
      walletToWallet: { transfer: { id: string; amount: string; currency: string } };
    }>(SEND, { input: { ...input, idempotencyKey: keyFor(fingerprint) } });
    keyDone(fingerprint); // done: the same form sent again is a new payment
    const { transfer } = result.walletToWallet;
    hideConfirmation();
    $<HTMLFormElement>('send-form').reset();
    const whom = to.name ?? 'the wallet';
    $('send-result').replaceChildren(
      `Sent ${formatMoney(transfer.amount, transfer.currency)} to ${whom}. `,
      element('a', { href: `#transfer/${transfer.id}` }, 'See the receipt'),
    );
    await afterSent();
  } catch (error) {
    if (sessionEnded(error)) return;
    // A refusal leaves no trace: a changed form gets a new key, the same form reuses this one.
    hideConfirmation();
    say(placeOf(error), plainWords(error));
  } finally {
    button.disabled = false;
  }
}

export function wireSendForm(afterSent: () => Promise<void>): void {
  const form = $<HTMLFormElement>('send-form');
  const amount = $<HTMLInputElement>('send-amount');
  amount.addEventListener('input', () => {
    const wallet = state.current.wallet;
    const problem = wallet
      ? amountProblem(amount.value.trim(), wallet.currency, precisionOf(wallet.balance))
      : '';
    say('amount-error', problem);
  });
  // Anything changed after the review needs a new one: what is confirmed is what is sent.
  form.addEventListener('input', () => {
    if (reviewed !== null) hideConfirmation();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const wallet = state.current.wallet;
    const button = $<HTMLButtonElement>('send');
    if (!wallet || button.disabled) return;
    button.disabled = true;
    void review(wallet).finally(() => (button.disabled = false));
  });
  $('send-yes').addEventListener('click', () => void send(afterSent));
  $('send-no').addEventListener('click', () => {
    hideConfirmation();
    $('send-to').focus();
  });
}
