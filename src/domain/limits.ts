/**
 * The limits on what a client may give and how much it may keep: one place
 * for each number, whichever layer checks it.
 */

export const NAME_LENGTH_MAX = 100;
export const EMAIL_LENGTH_MAX = 254;
export const PASSWORD_LENGTH = { min: 8, max: 128 } as const;
/** A service account's reference, and an idempotency key. */
export const KEY_LENGTH_MAX = 128;
/** A note on a movement or a request. */
export const DETAILS_LENGTH_MAX = 500;
export const URL_LENGTH_MAX = 2048;

/** How long a hold or a payment request lives unless resolved: 1 second to 30 days, 7 days by default. */
export const EXPIRES_IN_SECONDS = { min: 1, max: 2_592_000, default: 604_800 } as const;

/** The life asked for, or the default. */
export function expiresInSecondsOr(asked: number | null | undefined): number {
  return asked ?? EXPIRES_IN_SECONDS.default;
}

/**
 * The most refunds one transfer may have: its `refunds` list stays a page,
 * and no one needs more (a refund per item of a large order is a few dozen).
 */
export const REFUNDS_PER_TRANSFER_MAX = 100;
/** An owner may have this many webhook endpoints. */
export const ENDPOINTS_PER_OWNER_MAX = 20;
/** A statement's period. */
export const PERIOD_DAYS_MAX = 366;
