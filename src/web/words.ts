/** What a person reads for each refusal: words, never a code or a stack. */
import { GraphQLFailure } from './api.js';

const PLAIN_WORDS: Record<string, string> = {
  INSUFFICIENT_FUNDS: 'There is not enough money in your wallet for this.',
  NOT_FOUND: 'There is no wallet with this id. Check the recipient wallet id.',
  CURRENCY_MISMATCH: 'That wallet holds a different currency than yours.',
  INVALID_CREDENTIALS: 'The email or password is wrong.',
  ALREADY_EXISTS: 'An account with this email already exists. Log in instead.',
  WALLET_BUSY: 'Your wallet is busy with another payment. Try again in a moment.',
  ALREADY_RESOLVED: 'This was already settled, so nothing was changed.',
  EXPIRED: 'This has expired, so nothing was changed.',
  EXCEEDS_REMAINING: 'That is more than is left to give back.',
};

/** The words for a refusal; `overrides` say some codes better where the context is known. */
export function plainWords(error: unknown, overrides: Record<string, string> = {}): string {
  if (!(error instanceof GraphQLFailure)) return 'Something went wrong. Please try again.';
  if (error.code === 'RATE_LIMITED') {
    const minutes = Math.ceil((error.details.retryAfterSeconds ?? 60) / 60);
    return `Too many attempts. Please try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`;
  }
  return overrides[error.code] ?? PLAIN_WORDS[error.code] ?? error.message;
}

let onSessionEnd: () => void = () => undefined;

/** What the page does when a request finds the session gone (set once by the app). */
export function whenSessionEnds(handler: () => void): void {
  onSessionEnd = handler;
}

/** Any request may find the session gone: then the app goes back to the login form and this is true. */
export function sessionEnded(error: unknown): boolean {
  if (error instanceof GraphQLFailure && error.code === 'UNAUTHENTICATED') {
    onSessionEnd();
    return true;
  }
  return false;
}
