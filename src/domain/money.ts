/**
 * Money at the edge: decimal strings in major units <-> bigint minor units.
 * No float ever holds an amount.
 */
import { DomainError } from './errors';

/** Largest amount one movement may carry, in minor units. */
export const AMOUNT_MAX_MINOR = 10n ** 15n;
/** Largest balance a wallet may reach, in minor units. */
export const BALANCE_MAX_MINOR = 10n ** 18n;

const DECIMAL_PATTERN = /^[0-9]+(\.[0-9]+)?$/;
/** Longer input cannot be a valid amount (10^15 plus leading zeros aside); refuse before work. */
const DECIMAL_LENGTH_MAX = 40;

/** A string whose shape is a positive decimal; not yet checked against a currency. */
export type UncheckedAmount = string & { readonly brand: unique symbol };

/** Why a value is not a positive decimal amount, or null when its shape is fine. */
export function amountShapeProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'an amount must be a string such as "10.50"';
  if (value.length > DECIMAL_LENGTH_MAX) return 'the amount is too long';
  if (/^[-+]/.test(value)) {
    return 'amounts are positive and written without a sign, such as "5.00"; the operation says the direction';
  }
  if (!DECIMAL_PATTERN.test(value)) {
    return 'an amount must be digits with an optional "." and decimals, such as "10.50"';
  }
  if (!/[1-9]/.test(value)) return 'the amount must be greater than zero';
  return null;
}

/**
 * Parses a decimal string against a currency's precision into minor units.
 * Refuses more decimals than the currency has (even zeros: "1.500" USD) and
 * amounts outside 1..AMOUNT_MAX_MINOR.
 */
export function parseAmountMinor(amount: string, currency: string, precision: number): bigint {
  const problem = amountShapeProblem(amount);
  if (problem !== null) throw badAmount(capitalize(problem) + '.');
  const [whole, fraction = ''] = amount.split('.');
  if (fraction.length > precision) {
    throw badAmount(
      precision === 0
        ? `${currency} amounts have no decimals.`
        : `${currency} amounts have at most ${precision} decimals.`,
    );
  }
  const minor = BigInt(whole + fraction.padEnd(precision, '0'));
  if (minor > AMOUNT_MAX_MINOR) {
    throw badAmount(
      `The amount is above the limit of ${formatMinor(AMOUNT_MAX_MINOR, precision)} ${currency}.`,
    );
  }
  return minor;
}

/** Formats minor units with exactly the currency's precision: 1050n, 2 -> "10.50". */
export function formatMinor(minor: bigint, precision: number): string {
  if (minor < 0n) return '-' + formatMinor(-minor, precision);
  const digits = minor.toString().padStart(precision + 1, '0');
  if (precision === 0) return digits;
  return `${digits.slice(0, -precision)}.${digits.slice(-precision)}`;
}

/** The refusal of a credit that would pass BALANCE_MAX_MINOR. */
export const aboveBalanceMax = (): DomainError =>
  badAmount('This movement would take the wallet above its maximum balance.');

/** Every movement's input calls its amount `amount`. */
const badAmount = (message: string) =>
  new DomainError('BAD_USER_INPUT', message, { field: 'amount' });

/** The refusal of a debit larger than the balance. */
export const insufficientFunds = (): DomainError =>
  new DomainError('INSUFFICIENT_FUNDS', 'The wallet does not hold enough money for this.');

/** balance + credit, refused when the result would pass BALANCE_MAX_MINOR. */
export function addToBalance(balanceMinor: bigint, creditMinor: bigint): bigint {
  const result = balanceMinor + creditMinor;
  if (result > BALANCE_MAX_MINOR) throw aboveBalanceMax();
  return result;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * What a wallet can spend: its balance less what its holds reserve. The
 * ledger decides with the reserve stored under the wallet's lock (expired
 * holds released first); a read shows it with the open holds' reserve.
 */
export function availableMinor(wallet: { balanceMinor: bigint; heldMinor: bigint }): bigint {
  return wallet.balanceMinor - wallet.heldMinor;
}
