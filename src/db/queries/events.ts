/** Events: pages in their writing order, heads after a position, one by id. */
import type { EventType } from '../../domain/event-types';
import { isUuid } from '../ids';
import type { Row, Sql } from '../sql';
import { type EventPageRequest, type EventPosition } from '../../domain/pages';
import { type UserId } from '../../domain/ids';
import type { EventRow } from '../../domain/records';
import { one } from './one';

const EVENT_COLUMNS = 'seq, tx_order, id, type, owner_user_id, wallet_ids, body, created_at';

function toEvent(row: Row): EventRow {
  return {
    seq: BigInt(String(row.seq)),
    txOrder: BigInt(String(row.tx_order)),
    id: String(row.id),
    type: String(row.type) as EventType,
    ownerUserId: row.owner_user_id === null ? null : (String(row.owner_user_id) as UserId),
    walletIds: JSON.parse(String(row.wallet_ids)) as string[],
    body: String(row.body),
    createdAtMs: Number(row.created_at),
  };
}

/**
 * Events in the order their transactions committed, oldest first, after a
 * place. On PostgreSQL only those below the oldest transaction still running
 * (its snapshot's xmin): ids are handed out before commit, so an event of a
 * transaction still running may come to sit below one already visible;
 * every event below the horizon is already committed or gone, and every
 * later one will sit above it, so a reader who pages on never misses or
 * repeats one. (SQLite has one writer, which commits in `seq` order.)
 */
export async function eventsPage(
  sql: Sql,
  filter: { ownerUserId: UserId | null; types: readonly EventType[] | null },
  page: EventPageRequest,
): Promise<EventRow[]> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (filter.ownerUserId !== null) {
    conditions.push('owner_user_id = ?');
    params.push(filter.ownerUserId);
  }
  if (filter.types !== null) {
    conditions.push(`type IN (${filter.types.map(() => '?').join(', ')})`);
    params.push(...filter.types);
  }
  if (page.after !== null) {
    conditions.push('(tx_order, seq) > (?, ?)');
    params.push(page.after.txOrder, page.after.seq);
  }
  conditions.push(...eventHorizon(sql));
  const where = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
  const rows = await sql.rows(
    `SELECT ${EVENT_COLUMNS} FROM events${where} ORDER BY tx_order, seq LIMIT ${page.first + 1}`,
    params,
  );
  return rows.map(toEvent);
}

/** What a reader may see of events: on PostgreSQL, those below the oldest running transaction. */
function eventHorizon(sql: Sql): string[] {
  return sql.kind === 'postgres'
    ? ['tx_order < CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS bigint)']
    : [];
}

/** An event without its body: enough to know who wants it. */
export type EventHead = Omit<EventRow, 'body' | 'walletIds'>;

/** The next events after a place, in the same safe order as eventsPage, without their bodies. */
export async function eventHeadsAfter(
  sql: Sql,
  after: EventPosition,
  limit: number,
): Promise<EventHead[]> {
  const rows = await sql.rows(
    `SELECT seq, tx_order, id, type, owner_user_id, created_at FROM events
      WHERE ${['(tx_order, seq) > (?, ?)', ...eventHorizon(sql)].join(' AND ')}
      ORDER BY tx_order, seq LIMIT ${Math.trunc(limit)}`,
    [after.txOrder, after.seq],
  );
  return rows.map((row) => ({
    seq: BigInt(String(row.seq)),
    txOrder: BigInt(String(row.tx_order)),
    id: String(row.id),
    type: String(row.type) as EventType,
    ownerUserId: row.owner_user_id === null ? null : (String(row.owner_user_id) as UserId),
    createdAtMs: Number(row.created_at),
  }));
}

/** The newest event a reader may see after a place, if any. */
export async function lastEventAfter(
  sql: Sql,
  after: EventPosition,
): Promise<EventPosition | null> {
  const [row] = await sql.rows<{ seq: unknown; tx_order: unknown }>(
    `SELECT seq, tx_order FROM events
      WHERE ${['(tx_order, seq) > (?, ?)', ...eventHorizon(sql)].join(' AND ')}
      ORDER BY tx_order DESC, seq DESC LIMIT 1`,
    [after.txOrder, after.seq],
  );
  return row === undefined
    ? null
    : { txOrder: BigInt(String(row.tx_order)), seq: BigInt(String(row.seq)) };
}

export async function findEvent(sql: Sql, id: string): Promise<EventRow | null> {
  if (!isUuid(id)) return null;
  const row = await one(sql.rows(`SELECT ${EVENT_COLUMNS} FROM events WHERE id = ?`, [id]));
  return row && toEvent(row);
}
