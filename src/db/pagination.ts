/**
 * Keyset pages over the integer `seq`, newest first: rows added while a
 * reader pages never shift or repeat what it sees.
 */
import { DomainError } from '../errors';

export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

export interface PageRequest {
  first: number;
  /** Only rows with a smaller seq than this; null for the first page. */
  beforeSeq: bigint | null;
  /** The list this page is of: its cursors name it, and a cursor of another list is refused. */
  list: string;
}

export interface Page<T> {
  nodes: T[];
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Lists a cursor can belong to: one kind of row, and the wallet whose rows they are, if any. */
export const lists = {
  operations: (walletId: string) => `operations/${walletId}`,
  wallets: 'wallets',
  users: 'users',
  transfers: (walletId: string | null) =>
    walletId === null ? 'transfers' : `transfers/${walletId}`,
  holds: (walletId: string, status: string | null) => `holds/${walletId}/${status ?? 'ALL'}`,
  paymentRequests: (userId: string, direction: string, status: string | null) =>
    `requests/${userId}/${direction}/${status ?? 'ALL'}`,
} as const;

/** Longest cursor text accepted: a list name with an id and a status or two, and a seq. */
const CURSOR_LENGTH_MAX = 160;

export function encodeCursor(list: string, seq: bigint): string {
  return Buffer.from(`${list}:${seq.toString()}`).toString('base64url');
}

/**
 * A page of `list`: `first` rows after the `after` cursor, which must be one
 * this service gave out for that same list (a users cursor means nothing
 * to a wallets page, so it is refused, not read as a seq).
 */
export function pageRequest(
  first: number | null | undefined,
  after: string | null | undefined,
  list: string,
): PageRequest {
  const size = first ?? PAGE_SIZE_DEFAULT;
  if (!Number.isInteger(size) || size < 1 || size > PAGE_SIZE_MAX) {
    throw new DomainError('BAD_USER_INPUT', `"first" must be between 1 and ${PAGE_SIZE_MAX}.`, {
      field: 'first',
    });
  }
  if (after === null || after === undefined) return { first: size, beforeSeq: null, list };
  const decoded =
    after.length <= CURSOR_LENGTH_MAX && /^[A-Za-z0-9_-]+$/.test(after)
      ? Buffer.from(after, 'base64url').toString('utf8')
      : '';
  const digits = decoded.startsWith(`${list}:`) ? decoded.slice(list.length + 1) : '';
  if (!/^[1-9][0-9]{0,18}$/.test(digits)) {
    throw new DomainError(
      'BAD_USER_INPUT',
      'The "after" cursor is not one this service gave out for this list.',
      { field: 'after' },
    );
  }
  return { first: size, beforeSeq: BigInt(digits), list };
}

/** `rows` were fetched with LIMIT first + 1, newest first. */
export function toPage<R extends { seq: bigint }, T>(
  rows: R[],
  request: PageRequest,
  view: (row: R) => T,
): Page<T> {
  const pageRows = rows.slice(0, request.first);
  const edges = pageRows.map((row) => ({
    cursor: encodeCursor(request.list, row.seq),
    node: view(row),
  }));
  return {
    nodes: edges.map((edge) => edge.node),
    edges,
    pageInfo: {
      hasNextPage: rows.length > request.first,
      endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null,
    },
  };
}

/** The SQL tail for a page: `AND seq < ?` when paging on, then order and limit. */
export function pageClause(
  request: PageRequest,
  hasWhere: boolean,
): { sql: string; params: unknown[] } {
  const condition = request.beforeSeq === null ? '' : `${hasWhere ? ' AND' : ' WHERE'} seq < ?`;
  const params: unknown[] = request.beforeSeq === null ? [] : [request.beforeSeq];
  return { sql: `${condition}${pageOrder(request)}`, params };
}

/** A page's order and size, one row over so the page knows whether another follows. */
export function pageOrder(request: PageRequest): string {
  return ` ORDER BY seq DESC LIMIT ${request.first + 1}`;
}
