/** Webhooks: endpoints (made, read, deleted). */
import type { Role } from '../../domain/enums';
import type { EventType } from '../../domain/event-types';
import type { UserId } from '../../domain/ids';
import type { EndpointRow } from '../../domain/records';
import { nowMs } from '../clock';
import { isUuid } from '../ids';
import type { Row, Sql } from '../sql';

const ENDPOINT_COLUMNS = `endpoint.id, endpoint.owner_user_id, owner.role AS owner_role, endpoint.url,
  endpoint.event_types, endpoint.secret_ciphertext, endpoint.created_at, endpoint.from_tx_order,
  endpoint.from_seq`;
const ENDPOINT_TABLES =
  'webhook_endpoints AS endpoint JOIN users AS owner ON owner.id = endpoint.owner_user_id';

function toEndpoint(row: Row): EndpointRow {
  return {
    id: String(row.id),
    ownerUserId: String(row.owner_user_id) as UserId,
    ownerRole: String(row.owner_role) as Role,
    url: String(row.url),
    eventTypes: JSON.parse(String(row.event_types)) as EventType[],
    secretCiphertext: String(row.secret_ciphertext),
    createdAtMs: Number(row.created_at),
    from: { txOrder: BigInt(String(row.from_tx_order)), seq: BigInt(String(row.from_seq)) },
  };
}

/**
 * Where a new endpoint starts, in SQL of the statement that makes it: every
 * event that commits after the endpoint must lie at or past it. On
 * PostgreSQL, the oldest transaction still running (an event's tx_order is
 * its transaction's id, and one that commits later is running now or starts
 * later, so its id is at least this); on SQLite, whose one writer commits in
 * seq order, past the last event written.
 */
function startOf(kind: Sql['kind']): { txOrder: string; seq: string } {
  return kind === 'postgres'
    ? {
        txOrder: 'CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS bigint)',
        seq: '0',
      }
    : { txOrder: '0', seq: '(SELECT COALESCE(MAX(seq), 0) FROM events)' };
}

/**
 * Locks an endpoint owner's row for the transaction (PostgreSQL; SQLite's
 * one writer needs no lock), so that its endpoints are counted and made by
 * one transaction at a time.
 */
export async function lockEndpointOwner(sql: Sql, owner: UserId): Promise<void> {
  if (sql.kind === 'postgres') {
    await sql.rows('SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE', [owner]);
  }
}

/** Inserts an endpoint, made now (the database's clock), starting where startOf says. */
export async function insertEndpoint(
  sql: Sql,
  endpoint: {
    id: string;
    owner: UserId;
    url: string;
    eventTypes: readonly string[];
    secretCiphertext: string;
  },
): Promise<void> {
  const start = startOf(sql.kind);
  await sql.run(
    `INSERT INTO webhook_endpoints (id, owner_user_id, url, event_types, secret_ciphertext, created_at,
         from_tx_order, from_seq)
       VALUES (?, ?, ?, ?, ?, ${nowMs(sql.kind)}, ${start.txOrder}, ${start.seq})`,
    [
      endpoint.id,
      endpoint.owner,
      endpoint.url,
      JSON.stringify(endpoint.eventTypes),
      endpoint.secretCiphertext,
    ],
  );
}

/** An endpoint that is not deleted, by id. */
export async function findEndpoint(sql: Sql, id: string): Promise<EndpointRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await sql.rows(
    `SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_TABLES} WHERE endpoint.id = ? AND endpoint.deleted_at IS NULL`,
    [id],
  );
  return row === undefined ? null : toEndpoint(row);
}

/** An owner's endpoints that are not deleted (null: everyone's), oldest first. */
export async function endpointsOf(sql: Sql, owner: UserId | null): Promise<EndpointRow[]> {
  const rows = await sql.rows(
    `SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_TABLES}
      WHERE endpoint.deleted_at IS NULL${owner === null ? '' : ' AND endpoint.owner_user_id = ?'}
      ORDER BY endpoint.seq`,
    owner === null ? [] : [owner],
  );
  return rows.map(toEndpoint);
}

/** The endpoints with these ids that are not deleted. */
export async function endpointsWithIds(sql: Sql, ids: readonly string[]): Promise<EndpointRow[]> {
  if (ids.length === 0) return [];
  const rows = await sql.rows(
    `SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_TABLES}
        WHERE endpoint.deleted_at IS NULL AND endpoint.id IN (${ids.map(() => '?').join(', ')})`,
    [...ids],
  );
  return rows.map(toEndpoint);
}

/** Marks an endpoint deleted, now (the database's clock), unless it is already. */
export async function markEndpointDeleted(sql: Sql, id: string): Promise<void> {
  await sql.run(
    `UPDATE webhook_endpoints SET deleted_at = ${nowMs(sql.kind)} WHERE id = ? AND deleted_at IS NULL`,
    [id],
  );
}

/** Fails an endpoint's PENDING deliveries for good, with `error` as their last error. */
export async function failPendingDeliveries(
  sql: Sql,
  endpointId: string,
  error: string,
): Promise<void> {
  await sql.run(
    `UPDATE webhook_deliveries SET status = 'FAILED', last_error = ?, next_attempt_at = NULL,
              lease_until = NULL
        WHERE endpoint_id = ? AND status = 'PENDING'`,
    [error, endpointId],
  );
}
