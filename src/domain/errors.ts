/**
 * The error codes, one class for every expected refusal, and what each
 * code means for a client: its own fault or ours, and its HTTP status.
 */

/** The contract's error codes, in its order of precedence. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'INVALID_CREDENTIALS'
  | 'CURRENCY_MISMATCH'
  | 'IDEMPOTENCY_CONFLICT'
  | 'ALREADY_RESOLVED'
  | 'EXPIRED'
  | 'EXCEEDS_REMAINING'
  | 'WALLET_BUSY'
  | 'INSUFFICIENT_FUNDS'
  | 'INTERNAL_SERVER_ERROR';

/** What a refusal may tell beside its code, as `extensions`. */
export interface RefusalDetails {
  /** RATE_LIMITED: seconds until an attempt may succeed. */
  retryAfterSeconds?: number;
  /** BAD_USER_INPUT: the input field at fault, where one is ("amount", "toWalletId"). */
  field?: string;
}

/** An expected refusal: a code from the contract and a message a person can act on. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: RefusalDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}

export const INTERNAL_MESSAGE =
  'Something went wrong on our side. It has been logged; please retry.';

/** Whether a refusal is the client's doing (logged quietly) or a fault of ours. */
export function isClientError(code: ErrorCode): boolean {
  switch (code) {
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
    case 'RATE_LIMITED':
    case 'BAD_USER_INPUT':
    case 'NOT_FOUND':
    case 'ALREADY_EXISTS':
    case 'INVALID_CREDENTIALS':
    case 'CURRENCY_MISMATCH':
    case 'IDEMPOTENCY_CONFLICT':
    case 'ALREADY_RESOLVED':
    case 'EXPIRED':
    case 'EXCEEDS_REMAINING':
    case 'WALLET_BUSY':
    case 'INSUFFICIENT_FUNDS':
      return true;
    case 'INTERNAL_SERVER_ERROR':
      return false;
    default:
      return assertUnreachable(code);
  }
}

/**
 * The HTTP status a refusal answers with where HTTP carries it (the CSV
 * route; GraphQL answers 200 and puts the code in `extensions`).
 */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
    case 'INVALID_CREDENTIALS':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'RATE_LIMITED':
      return 429;
    case 'BAD_USER_INPUT':
      return 400;
    case 'ALREADY_EXISTS':
    case 'IDEMPOTENCY_CONFLICT':
    case 'ALREADY_RESOLVED':
    case 'EXCEEDS_REMAINING':
    case 'WALLET_BUSY':
      return 409;
    case 'EXPIRED':
      return 410;
    case 'CURRENCY_MISMATCH':
    case 'INSUFFICIENT_FUNDS':
      return 422;
    case 'INTERNAL_SERVER_ERROR':
      return 500;
    default:
      return assertUnreachable(code);
  }
}

/** A key or a reference used again for something else: the one words of that refusal. */
export function idempotencyConflict(
  what: 'reference' | 'idempotency key',
  anew: 'payment' | 'request' = 'payment',
): DomainError {
  return new DomainError(
    'IDEMPOTENCY_CONFLICT',
    `This ${what} was already used for a different request. Use a new one for a new ${anew}.`,
  );
}
