/** The SQL of a page: the keyset condition, the order and the size. */
import type { PageRequest } from '../domain/pages';

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
