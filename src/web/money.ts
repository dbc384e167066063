/**
 * Amounts as the service sends them (exact decimal strings), shown in the
 * person's locale. Intl formats the string itself, so no float ever holds
 * an amount; the digits are fixed to the amount's own, so nothing rounds.
 */

export function formatMoney(
  amount: string,
  currency: string,
  digits = precisionOf(amount),
): string {
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(amount as unknown as number); // a decimal string: formatted exactly (ECMA-402)
  } catch {
    return `${amount} ${currency}`; // a currency this browser does not know
  }
}

export function precisionOf(amount: string): number {
  return amount.includes('.') ? amount.split('.')[1].length : 0;
}

/** Minor units of a decimal string, exactly. */
export function minorUnits(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole + fraction);
  return negative ? -value : value;
}

/**
 * Minor units of an amount typed in a currency with `precision` decimals
 * ("12.5" at 2 is 1250n): comparable with the service's amounts, exactly.
 * The text must be an amount (amountProblem says nothing of it).
 */
export function minorUnitsAt(text: string, precision: number): bigint {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole + fraction.padEnd(precision, '0'));
}

/** Minor units back to a decimal string with `precision` decimals. */
export function fromMinorUnits(value: bigint, precision: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(precision + 1, '0');
  const whole = digits.slice(0, digits.length - precision);
  const text = precision === 0 ? whole : `${whole}.${digits.slice(-precision)}`;
  return negative ? `-${text}` : text;
}

/**
 * Why `text` is not an amount in a currency with `precision` decimals, or ''
 * (the server stays the authority; this only says it sooner).
 */
export function amountProblem(text: string, currency: string, precision: number): string {
  if (text === '') return '';
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) return 'Enter an amount such as 10.50.';
  if (precisionOf(text) > precision) {
    return precision === 0
      ? `${currency} amounts have no decimals.`
      : `${currency} amounts have at most ${precision} decimals.`;
  }
  if (!/[1-9]/.test(text)) return 'The amount must be more than zero.';
  return '';
}

/** As amountProblem, for a field that must not be left empty. */
export function requiredAmountProblem(text: string, currency: string, precision: number): string {
  return text === '' ? 'Enter an amount.' : amountProblem(text, currency, precision);
}
