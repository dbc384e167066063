import assert from 'node:assert/strict';
import type { DatabaseKind } from '../config';
import { isUuid } from './ids';

export type Row = Record<string, unknown>;

/** Raw SQL through one connection or transaction. Write `?` placeholders; both dialects run them. */
export interface Sql {
  readonly kind: DatabaseKind;
  /** Rows of a SELECT or of a statement with RETURNING. */
  rows<T = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; the number of rows it changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Statements run in order, the rows of each: on PostgreSQL in one round
   * trip, together with the transaction's BEGIN when they are its first. Only
   * PostgreSQL's simple protocol carries several statements, and it has no
   * parameters, so the parameters here must be ids the service made: each is
   * checked to be a UUID and written into the text.
   */
  rowsOfEach<T = Row>(statements: readonly IdStatement[]): Promise<T[][]>;
}

/** A statement whose only parameters are ids (UUIDs). */
export interface IdStatement {
  text: string;
  params: readonly string[];
}

/** Refuses anything but UUIDs, on both databases alike, so a misuse fails in any test run. */
export function assertIds(params: readonly unknown[]): void {
  for (const id of params) {
    assert.ok(typeof id === 'string' && isUuid(id), 'only a UUID is written into SQL text');
  }
}

/** The statement with its ids in place: safe, since a UUID holds no quote. */
export function withIdLiterals({ text, params }: IdStatement): string {
  assertIds(params);
  let index = 0;
  const written = text.replace(/\?/g, () => `'${params[index++]}'`);
  assert.equal(index, params.length, 'one id per placeholder');
  return written;
}
