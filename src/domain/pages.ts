/**
 * Keyset pages over the integer `seq`, newest first (or over a pair of
 * integers: events by transaction and seq, operations by time and seq):
 * rows added while a reader pages never shift or repeat what it sees.
 */
import { createHash } from 'node:crypto';
import { DomainError } from './errors';

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
  /** A wallet's operations, narrowed by a filter (see filterKey). */
  operations: (walletId: string, filter = 'all') => `operations/${walletId}/${filter}`,
  wallets: 'wallets',
  users: 'users',
  transfers: (walletId: string | null) =>
    walletId === null ? 'transfers' : `transfers/${walletId}`,
  holds: (walletId: string, status: string | null) => `holds/${walletId}/${status ?? 'ALL'}`,
  paymentRequests: (userId: string, direction: string, status: string | null) =>
    `requests/${userId}/${direction}/${status ?? 'ALL'}`,
  /** An owner's events (or all, for admins) of some types (a short hash of them). */
  events: (ownerUserId: string | null, typesHash: string) =>
    `events/${ownerUserId ?? 'ALL'}/${typesHash}`,
} as const;

/** The largest key a cursor can hold: a 64-bit signed integer, as both databases store it. */
const SEQ_MAX = 2n ** 63n - 1n;

/**
 * What a list is narrowed by, short enough for a cursor: 'all' when
 * nothing narrows it, else a short hash of the parts (a cursor given out for
 * one filter is refused for another).
 */
export function filterKey(parts: readonly (string | number | null)[]): string {
  if (parts.every((part) => part === null)) return 'all';
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 12);
}

const notOurCursor = () =>
  new DomainError(
    'BAD_USER_INPUT',
    'The "after" cursor is not one this service gave out for this list.',
    { field: 'after' },
  );

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
  if (!/^[1-9][0-9]{0,18}$/.test(digits) || BigInt(digits) > SEQ_MAX) {
    throw notOurCursor();
  }
  return { first: size, beforeSeq: BigInt(digits), list };
}

/** `rows` were fetched with LIMIT first + 1, in the list's order; a row's cursor is its seq's unless said. */
export function toPage<R extends { seq: bigint }, T>(
  rows: R[],
  request: { first: number; list: string },
  view: (row: R) => T,
  cursorOf: (row: R) => string = (row) => encodeCursor(request.list, row.seq),
  /** An empty page's endCursor: null, or where the next page starts (a reader keeps its place). */
  emptyEndCursor: string | null = null,
): Page<T> {
  const pageRows = rows.slice(0, request.first);
  const edges = pageRows.map((row) => ({
    cursor: cursorOf(row),
    node: view(row),
  }));
  return {
    nodes: edges.map((edge) => edge.node),
    edges,
    pageInfo: {
      hasNextPage: rows.length > request.first,
      endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : emptyEndCursor,
    },
  };
}

/** A place in the events' order: their writing transaction's, then their own. */
export interface EventPosition {
  txOrder: bigint;
  seq: bigint;
}

export interface EventPageRequest {
  first: number;
  /** Only events after this place; null for the first page. */
  after: EventPosition | null;
  list: string;
}

function encodePairCursor(list: string, major: bigint | number, seq: bigint): string {
  return Buffer.from(`${list}:${major}.${seq}`).toString('base64url');
}

/** The pair a cursor of `list` holds (see encodePairCursor), or BAD_USER_INPUT. */
function decodePairCursor(after: string, list: string): [bigint, bigint] {
  const decoded =
    after.length <= CURSOR_LENGTH_MAX && /^[A-Za-z0-9_-]+$/.test(after)
      ? Buffer.from(after, 'base64url').toString('utf8')
      : '';
  const place = decoded.startsWith(`${list}:`) ? decoded.slice(list.length + 1) : '';
  const match = /^(0|[1-9][0-9]{0,18})\.([1-9][0-9]{0,18})$/.exec(place);
  if (match === null || BigInt(match[1]) > SEQ_MAX || BigInt(match[2]) > SEQ_MAX) {
    throw notOurCursor();
  }
  return [BigInt(match[1]), BigInt(match[2])];
}

export function encodeEventCursor(list: string, position: EventPosition): string {
  return encodePairCursor(list, position.txOrder, position.seq);
}

/** A page's size, and the pair cursor it continues after (null for the first page). */
function pairPageRequest(
  first: number | null | undefined,
  after: string | null | undefined,
  list: string,
): { size: number; pair: [bigint, bigint] | null } {
  const { first: size } = pageRequest(first, null, list);
  return {
    size,
    pair: after === null || after === undefined ? null : decodePairCursor(after, list),
  };
}

/** A page of events, oldest first, after a cursor of the same list (see eventsPage). */
export function eventPageRequest(
  first: number | null | undefined,
  after: string | null | undefined,
  list: string,
): EventPageRequest {
  const { size, pair } = pairPageRequest(first, after, list);
  return { first: size, after: pair && { txOrder: pair[0], seq: pair[1] }, list };
}

/** A place in a wallet's operations: their time, then their own seq (see history.ts). */
export interface OperationPosition {
  createdAtMs: number;
  seq: bigint;
}

export interface OperationPageRequest {
  first: number;
  /** Only operations before this place (older); null for the first page. */
  before: OperationPosition | null;
  list: string;
}

export function encodeOperationCursor(list: string, position: OperationPosition): string {
  return encodePairCursor(list, position.createdAtMs, position.seq);
}

/** A page of a wallet's operations, newest first, after a cursor of the same list. */
export function operationPageRequest(
  first: number | null | undefined,
  after: string | null | undefined,
  list: string,
): OperationPageRequest {
  const { size, pair } = pairPageRequest(first, after, list);
  if (pair !== null && pair[0] > BigInt(Number.MAX_SAFE_INTEGER)) throw notOurCursor();
  return { first: size, before: pair && { createdAtMs: Number(pair[0]), seq: pair[1] }, list };
}

/** The same page with each node shown another way (a record as its GraphQL view). */
export function mapPage<T, U>(page: Page<T>, view: (node: T) => U): Page<U> {
  const edges = page.edges.map((edge) => ({ cursor: edge.cursor, node: view(edge.node) }));
  return { nodes: edges.map((edge) => edge.node), edges, pageInfo: page.pageInfo };
}
