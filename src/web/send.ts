/**
 * Sending money: to an email or a wallet id, always through a confirmation
 * that names who will receive it ("Send $12.50 to Bob Smith?"). The money
 * goes to the wallet that was shown, never to a second lookup. More than
 * the wallet has available is said beside the amount before anything is
 * asked.
 */
import { GraphQLFailure, RECIPIENT, SEND, gql } from './api.js';
import type { Party, Wallet } from './api.js';
import { Confirmation, confirmParts, moneyQuestion } from './confirm.js';
import { $, element, fieldError } from './dom.js';
import {
  amountProblem,
  decimalOf,
  formatMoney,
  minorUnits,
  minorUnitsAt,
  precisionOf,
  requiredAmountProblem,
} from './money.js';
import { keyDone, keyFor, ownWallet, state } from './state.js';
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
let confirmation: Confirmation | null = null;

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

/**
 * Why `amount` (an amount in the wallet's currency) cannot be sent from
 * `wallet` as last read, or '': the words say how much can.
 */
function fundsProblem(amount: string, wallet: Wallet): string {
  const available = ownWallet(wallet)?.availableBalance;
  if (available === undefined) return '';
  if (minorUnitsAt(amount, precisionOf(wallet.balance)) <= minorUnits(available)) return '';
  return `You can send up to ${formatMoney(available, wallet.currency)}.`;
}

/** What is wrong with the amount as typed (in the person's locale), format first, then the funds ('' when nothing). */
function typedAmountProblem(amount: string, wallet: Wallet, required: boolean): string {
  const precision = precisionOf(wallet.balance);
  const problem = required
    ? requiredAmountProblem(amount, wallet.currency, precision)
    : amountProblem(amount, wallet.currency, precision);
  return problem || (amount === '' ? '' : fundsProblem(decimalOf(amount), wallet));
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
  confirmation?.hide();
}

/** Checks the form, finds who the money would reach, and asks the person to confirm. */
async function review(wallet: Wallet, afterSent: () => Promise<void>): Promise<void> {
  const to = $<HTMLInputElement>('send-to').value.trim();
  const typed = $<HTMLInputElement>('send-amount').value.trim();
  const note = $<HTMLInputElement>('send-note').value.trim();
  clearSendMessages();
  $('send-result').replaceChildren();
  const problem = typedAmountProblem(typed, wallet, true);
  if (problem) say('amount-error', problem);
  if (to === '') say('to-error', 'Enter an email or a wallet id.');
  if (problem || to === '') return;
  const amount = decimalOf(typed);
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
  if (party.walletId === wallet.id) {
    const words = byEmail ? 'This email is yours' : 'This is the wallet you are sending from';
    say('to-error', `${words}: send to someone else.`);
    return;
  }
  const asked: Reviewed = { from: wallet, to: party, amount, note: note === '' ? null : note };
  const money = formatMoney(amount, wallet.currency, precisionOf(wallet.balance));
  const whom = party.name ?? `the wallet ${party.walletId}`;
  reviewed = asked;
  confirmation?.ask(moneyQuestion('Send', money, whom), () => send(asked, afterSent));
}

/** Sends what was confirmed (the confirmation runs it once however often it is clicked). */
async function send(confirmed: Reviewed, afterSent: () => Promise<void>): Promise<void> {
  const { from, to, amount, note } = confirmed;
  const input = { fromWalletId: from.id, toWalletId: to.walletId, amount, details: note };
  const fingerprint = JSON.stringify(['send', input]);
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
    if (error instanceof GraphQLFailure && error.code === 'INSUFFICIENT_FUNDS') {
      // The money went elsewhere meanwhile: read the balance again, and say what is left.
      await afterSent().catch(() => undefined);
      say('amount-error', fundsProblem(amount, from) || plainWords(error));
      return;
    }
    say(placeOf(error), plainWords(error));
  }
}

export function wireSendForm(afterSent: () => Promise<void>): void {
  const form = $<HTMLFormElement>('send-form');
  const amount = $<HTMLInputElement>('send-amount');
  amount.addEventListener('input', () => {
    const wallet = state.current.wallet;
    say('amount-error', wallet ? typedAmountProblem(amount.value.trim(), wallet, false) : '');
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
    void review(wallet, afterSent).finally(() => (button.disabled = false));
  });
  const parts = confirmParts('send', 'Send');
  $('send-result').before(parts.box);
  confirmation = new Confirmation(parts, () => {
    reviewed = null;
    $('send-to').focus();
  });
}
