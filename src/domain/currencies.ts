/**
 * The currencies the service knows, read from the database (a migration adds
 * more, never a request) and kept in memory: the table is tiny and fixed per release.
 */
import { DomainError } from './errors';

export type CurrencyCode = string & { readonly brand: unique symbol };

export class Currencies {
  private constructor(private readonly precisionByCode: ReadonlyMap<string, number>) {}

  static of(rows: readonly { code: string; precision: number }[]): Currencies {
    return new Currencies(new Map(rows.map((row) => [row.code, Number(row.precision)])));
  }

  has(code: string): boolean {
    return this.precisionByCode.has(code);
  }

  /** A code as a person may write it ("eur"), as the service keeps it ("EUR"); refuses codes that are not ours. */
  known(uncheckedCode: string): string {
    const code = uncheckedCode.trim().toUpperCase();
    this.precision(code);
    return code;
  }

  /** The minor-unit exponent; refuses codes that are not ours. */
  precision(code: string): number {
    const precision = this.precisionByCode.get(code);
    if (precision === undefined) {
      throw new DomainError(
        'BAD_USER_INPUT',
        `Unknown currency "${code.slice(0, 16)}". Supported: ${this.codes().join(', ')}.`,
        { field: 'currency' },
      );
    }
    return precision;
  }

  codes(): string[] {
    return [...this.precisionByCode.keys()].sort();
  }
}
