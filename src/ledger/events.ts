/**
 * The outbox: an event row written in the same transaction as the change it
 * reports, so nothing answered goes without its event and nothing rolled
 * back has one. On PostgreSQL each row carries its transaction's id
 * (`tx_order`), by which readers order them (queries.ts, eventsPage).
 */
import { ledgerId } from '../db/ids';
import type { UserId } from '../domain/ids';
import type { Sql } from '../db/sql';
import type { EventType } from '../domain/event-types';

export interface NewEvent {
  type: EventType;
  /** The wallets it concerns. */
  walletIds: readonly string[];
  /** The service account whose reference or hold it reports; null: admins only. */
  ownerUserId: UserId | null;
  data: Record<string, unknown>;
}

/** An event as stored: its id, and its body, the webhook's JSON. */
export interface EventRecord {
  id: string;
  type: EventType;
  ownerUserId: UserId | null;
  walletIds: string;
  body: string;
  createdAtMs: number;
}

export function eventRecord(event: NewEvent, createdAtMs = Date.now()): EventRecord {
  const id = ledgerId(createdAtMs);
  const body = JSON.stringify({
    id,
    type: event.type,
    timestamp: new Date(createdAtMs).toISOString(),
    data: event.data,
  });
  return {
    id,
    type: event.type,
    ownerUserId: event.ownerUserId,
    walletIds: JSON.stringify(event.walletIds),
    body,
    createdAtMs,
  };
}

/** The writing transaction's place in commit order, as each dialect knows it. */
export function txOrder(sql: Sql): string {
  return sql.kind === 'postgres' ? 'CAST(CAST(pg_current_xact_id() AS text) AS bigint)' : '0';
}

/** Appends events inside the caller's transaction. */
export async function appendEvents(sql: Sql, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const records = events.map((event) => eventRecord(event));
  await sql.run(
    `INSERT INTO events (id, type, owner_user_id, wallet_ids, body, created_at, tx_order)
     VALUES ${records.map(() => `(?, ?, ?, ?, ?, ?, ${txOrder(sql)})`).join(', ')}`,
    records.flatMap((r) => [r.id, r.type, r.ownerUserId, r.walletIds, r.body, r.createdAtMs]),
  );
}
