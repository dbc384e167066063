/** Everything the page knows of the person signed in; replaced whole at logout and expiry. */
import type { Operation, Wallet } from './api.js';

export interface SignedInState {
  wallets: Wallet[];
  wallet: Wallet | null;
  /** What the selected wallet's pending holds reserve, as last shown. */
  heldBalance: string | null;
  endCursor: string | null;
  /** The selected wallet's operations loaded so far, newest first (for the chart). */
  loaded: Operation[];
  /** What the payment requests looked like when last drawn, to redraw only on a change. */
  requestsShown: string;
  /** One idempotency key per intent: reused when the same thing is sent again (retry, double click). */
  keys: Map<string, string>;
  refreshTimer: number | null;
}

export const emptyState = (): SignedInState => ({
  wallets: [],
  wallet: null,
  heldBalance: null,
  endCursor: null,
  loaded: [],
  requestsShown: '',
  keys: new Map(),
  refreshTimer: null,
});

export const state: { current: SignedInState } = { current: emptyState() };

/**
 * The person's wallet that `which` names (its id, or the currency a payment
 * comes from), as last read: what it has available is said before anything
 * is asked (the service stays the authority).
 */
export function ownWallet(which: { id: string } | { currency: string }): Wallet | null {
  const found = state.current.wallets.find((w) =>
    'id' in which ? w.id === which.id : w.currency === which.currency,
  );
  return found ?? null;
}

/** The idempotency key of one intent (`fingerprint` says what and how much); forget it once done. */
export function keyFor(fingerprint: string): string {
  const { keys } = state.current;
  let key = keys.get(fingerprint);
  if (key === undefined) {
    key = crypto.randomUUID();
    keys.clear(); // a changed intent is a new payment: only the latest is retried
    keys.set(fingerprint, key);
  }
  return key;
}

/** The intent is done (answered): the same form sent again is a new one. */
export function keyDone(fingerprint: string): void {
  state.current.keys.delete(fingerprint);
}
