/**
 * Webhooks: endpoints (made, read, deleted), the position events are fanned
 * out from (a row of `settings`), and deliveries (made, claimed under a
 * lease, their attempts recorded, paged, sent again).
 */
import type { DeliveryStatus, Role } from '../../domain/enums';
import type { EventType } from '../../domain/event-types';
import type { UserId } from '../../domain/ids';
import type { EventPosition } from '../../domain/pages';
import type { DeliveryRow, EndpointRow } from '../../domain/records';
import { nowMs } from '../clock';
import { isUuid, ledgerId } from '../ids';
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

/** The settings row that keeps how far events have been fanned out into deliveries. */
const POSITION_KEY = 'webhooks_dispatched_through';

/**
 * The position events have been fanned out through, its row locked for the
 * transaction on PostgreSQL (so instances take turns fanning out).
 */
export async function lockDispatchPosition(sql: Sql): Promise<EventPosition> {
  const lock = sql.kind === 'postgres' ? ' FOR UPDATE' : '';
  const [row] = await sql.rows<{ value: string }>(
    `SELECT value FROM settings WHERE key = ?${lock}`,
    [POSITION_KEY],
  );
  const [txOrder, seq] = row.value.split('.').map((part) => BigInt(part));
  return { txOrder, seq };
}

export async function saveDispatchPosition(sql: Sql, position: EventPosition): Promise<void> {
  await sql.run('UPDATE settings SET value = ? WHERE key = ?', [
    `${position.txOrder}.${position.seq}`,
    POSITION_KEY,
  ]);
}

/** Makes deliveries due at once; one that exists already is left as it is. */
export async function insertDeliveries(
  sql: Sql,
  deliveries: readonly { endpointId: string; eventId: string }[],
): Promise<void> {
  const now = nowMs(sql.kind);
  // In chunks that stay within both databases' limits on parameters.
  for (let start = 0; start < deliveries.length; start += INSERT_CHUNK) {
    const chunk = deliveries.slice(start, start + INSERT_CHUNK);
    await sql.run(
      `INSERT INTO webhook_deliveries (id, endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
       VALUES ${chunk.map(() => `(?, ?, ?, 'PENDING', 0, ${now}, ${now})`).join(', ')}
       ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
      chunk.flatMap(({ endpointId, eventId }) => [ledgerId(), endpointId, eventId]),
    );
  }
}

const INSERT_CHUNK = 1_000;

/** A delivery that is due, and whose endpoint (and owner) it is for. */
export interface DueDelivery {
  id: string;
  endpointId: string;
  ownerUserId: string;
}

/**
 * Deliveries that are due and not under anyone's lease, each endpoint's
 * oldest `perEndpointMax` (an endpoint with a backlog cannot crowd the
 * others out), for endpoints not among `busyEndpointIds`; oldest first. On
 * PostgreSQL their rows are locked for the transaction, and rows another
 * transaction has locked are skipped, not waited for.
 */
export async function dueDeliveries(
  sql: Sql,
  perEndpointMax: number,
  busyEndpointIds: readonly string[],
): Promise<DueDelivery[]> {
  const now = nowMs(sql.kind);
  const skip = sql.kind === 'postgres' ? ' FOR UPDATE OF delivery SKIP LOCKED' : '';
  const notBusy =
    busyEndpointIds.length === 0
      ? ''
      : ` AND endpoint.id NOT IN (${busyEndpointIds.map(() => '?').join(', ')})`;
  const rows = await sql.rows<Row>(
    `SELECT delivery.id, delivery.endpoint_id, endpoint.owner_user_id
         FROM webhook_deliveries AS delivery
         JOIN webhook_endpoints AS endpoint ON endpoint.id = delivery.endpoint_id
        WHERE delivery.id IN (SELECT due.id FROM webhook_deliveries AS due
                               WHERE due.endpoint_id = endpoint.id AND due.status = 'PENDING'
                                 AND due.next_attempt_at <= ${now}
                                 AND (due.lease_until IS NULL OR due.lease_until <= ${now})
                               ORDER BY due.next_attempt_at, due.seq
                               LIMIT ${Math.trunc(perEndpointMax)})${notBusy}
        ORDER BY delivery.next_attempt_at, delivery.seq${skip}`,
    [...busyEndpointIds],
  );
  return rows.map((row) => ({
    id: String(row.id),
    endpointId: String(row.endpoint_id),
    ownerUserId: String(row.owner_user_id),
  }));
}

/** A delivery leased for an attempt, as its row stands once leased. */
export interface LeasedDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  /** Attempts made before this one. */
  attempts: number;
  leaseUntilMs: number;
}

/** Leases these deliveries until `leaseMs` from now (the database's clock); in no set order. */
export async function leaseDeliveries(
  sql: Sql,
  ids: readonly string[],
  leaseMs: number,
): Promise<LeasedDelivery[]> {
  if (ids.length === 0) return [];
  const rows = await sql.rows<Row>(
    `UPDATE webhook_deliveries SET lease_until = ${nowMs(sql.kind)} + CAST(? AS BIGINT)
        WHERE id IN (${ids.map(() => '?').join(', ')})
        RETURNING id, endpoint_id, event_id, attempts, lease_until`,
    [leaseMs, ...ids],
  );
  return rows.map((row) => ({
    id: String(row.id),
    endpointId: String(row.endpoint_id),
    eventId: String(row.event_id),
    attempts: Number(row.attempts),
    leaseUntilMs: Number(row.lease_until),
  }));
}

/**
 * Records an attempt on a delivery, if it is still under the lease
 * `leaseUntilMs` (the one the attempt was made under), and ends the lease:
 * its new status, when it was delivered (DELIVERED: now) and when it is next
 * due (PENDING: `retryInMs` from now); how many rows changed (0 or 1).
 */
export async function recordDeliveryAttempt(
  sql: Sql,
  delivery: { id: string; leaseUntilMs: number },
  attempt: {
    status: DeliveryStatus;
    attempts: number;
    statusCode: number | null;
    error: string | null;
    retryInMs: number;
  },
): Promise<number> {
  const now = nowMs(sql.kind);
  return sql.run(
    `UPDATE webhook_deliveries
          SET status = ?, attempts = ?, last_status_code = ?, last_error = ?, lease_until = NULL,
              delivered_at = CASE WHEN ? = 'DELIVERED' THEN ${now} ELSE NULL END,
              next_attempt_at = CASE WHEN ? = 'PENDING' THEN ${now} + CAST(? AS BIGINT) ELSE NULL END
        WHERE id = ? AND lease_until = ?`,
    [
      attempt.status,
      attempt.attempts,
      attempt.statusCode,
      attempt.error,
      attempt.status,
      attempt.status,
      attempt.retryInMs,
      delivery.id,
      delivery.leaseUntilMs,
    ],
  );
}

/** Ends a delivery's lease, if it is still `leaseUntilMs`, without an attempt: it is due again. */
export async function releaseLease(
  sql: Sql,
  delivery: { id: string; leaseUntilMs: number },
): Promise<number> {
  return sql.run(
    'UPDATE webhook_deliveries SET lease_until = NULL WHERE id = ? AND lease_until = ?',
    [delivery.id, delivery.leaseUntilMs],
  );
}

const DELIVERY_COLUMNS = `seq, id, endpoint_id, event_id, status, attempts, last_status_code,
  last_error, next_attempt_at, delivered_at`;

function toDelivery(row: Row): DeliveryRow {
  const ms = (value: unknown) => (value === null ? null : Number(value));
  return {
    seq: BigInt(String(row.seq)),
    id: String(row.id),
    endpointId: String(row.endpoint_id),
    eventId: String(row.event_id),
    status: String(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error === null ? null : String(row.last_error),
    nextAttemptAtMs: ms(row.next_attempt_at),
    deliveredAtMs: ms(row.delivered_at),
  };
}

/** A page of an endpoint's deliveries, of one status or all, newest first (one row more than asked). */
export async function endpointDeliveriesPage(
  sql: Sql,
  endpointId: string,
  status: DeliveryStatus | null,
  page: { first: number; beforeSeq: bigint | null },
): Promise<DeliveryRow[]> {
  const conditions = ['endpoint_id = ?'];
  const params: unknown[] = [endpointId];
  if (status !== null) {
    conditions.push('status = ?');
    params.push(status);
  }
  if (page.beforeSeq !== null) {
    conditions.push('seq < ?');
    params.push(page.beforeSeq);
  }
  const rows = await sql.rows(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ${conditions.join(' AND ')}
        ORDER BY seq DESC LIMIT ${page.first + 1}`,
    params,
  );
  return rows.map(toDelivery);
}

/** Makes a delivery due now, its attempts and outcome cleared. */
export async function resetDelivery(sql: Sql, endpointId: string, eventId: string): Promise<void> {
  await sql.run(
    `UPDATE webhook_deliveries SET status = 'PENDING', attempts = 0, next_attempt_at = ${nowMs(sql.kind)},
              last_error = NULL, last_status_code = NULL, delivered_at = NULL
        WHERE endpoint_id = ? AND event_id = ?`,
    [endpointId, eventId],
  );
}

/** The delivery of an event to an endpoint; it must exist. */
export async function findDelivery(
  sql: Sql,
  endpointId: string,
  eventId: string,
): Promise<DeliveryRow> {
  const [row] = await sql.rows(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = ? AND event_id = ?`,
    [endpointId, eventId],
  );
  return toDelivery(row);
}

/**
 * When the oldest event still waiting for a delivery was made (null: none
 * waits), and the database's clock now, epoch milliseconds.
 */
export async function oldestUndeliveredEvent(
  sql: Sql,
): Promise<{ oldestMs: number | null; nowMs: number }> {
  const [row] = await sql.rows<{ oldest: unknown; now: unknown }>(
    `SELECT MIN(events.created_at) AS oldest, ${nowMs(sql.kind)} AS now
         FROM webhook_deliveries JOIN events ON events.id = webhook_deliveries.event_id
        WHERE webhook_deliveries.status = 'PENDING'`,
  );
  return { oldestMs: row.oldest === null ? null : Number(row.oldest), nowMs: Number(row.now) };
}
