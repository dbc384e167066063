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
 * The decimal separator the person's locale shows amounts with: "," in
 * German, "." in English. Typed amounts are read with the same one. Worked
 * out once: the locale does not change while the page is open.
 */
const DECIMAL_SEPARATOR =
  new Intl.NumberFormat()
    .formatToParts('1.5' as unknown as number)
    .find((part) => part.type === 'decimal')?.value ?? '.';

/**
 * Whether `text` is digits, with decimals after the locale's own separator
 * only. A grouping separator is refused, not guessed: "1.250" is 1250 in
 * German and 1.25 in English, and a guess makes a payment 1000 times larger.
 */
function typedAmount(text: string, separator: string): boolean {
  const [whole, fraction, ...more] = text.split(separator);
  const digits = (part: string) => /^[0-9]+$/.test(part);
  return more.length === 0 && digits(whole) && (fraction === undefined || digits(fraction));
}

/**
 * The service's decimal string for an amount typed in the person's locale
 * ("12,50" in German is "12.50"). Only for text amountProblem accepted.
 */
export function decimalOf(text: string): string {
  return text.replace(DECIMAL_SEPARATOR, '.');
}

/**
 * Why `text` is not an amount in a currency with `precision` decimals, or ''
 * (the server stays the authority; this only says it sooner).
 */
export function amountProblem(text: string, currency: string, precision: number): string {
  if (text === '') return '';
  const separator = DECIMAL_SEPARATOR;
  if (!typedAmount(text, separator)) return `Enter an amount such as 10${separator}50.`;
  const amount = decimalOf(text);
  if (precisionOf(amount) > precision) {
    return precision === 0
      ? `${currency} amounts have no decimals.`
      : `${currency} amounts have at most ${precision} decimals.`;
  }
  if (!/[1-9]/.test(amount)) return 'The amount must be more than zero.';
  return '';
}

/** As amountProblem, for a field that must not be left empty. */
export function requiredAmountProblem(text: string, currency: string, precision: number): string {
  return text === '' ? 'Enter an amount.' : amountProblem(text, currency, precision);
}
