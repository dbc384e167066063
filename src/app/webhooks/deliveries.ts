/**
 * Deliveries: one per event and endpoint. Events are fanned out into them
 * by one instance at a time, in the events' safe order (eventsPage), from a
 * position kept in `settings`; attempts are claimed with a lease, so one
 * instance's attempt never runs beside another's, and one that dies with a
 * lease held is resumed once the lease runs out, with the same webhook-id.
 */
import type { Database } from '../../db/database';
import { nowMs } from '../../db/clock';
import { ledgerId } from '../../db/ids';
import type { EventPosition } from '../../domain/pages';
import { endpointsOf, eventHeadsAfter, lastEventAfter, type EventHead } from '../../db/queries';
import type { Row, Sql } from '../../db/sql';
import type { DeliveryStatus } from '../../domain/enums';
import type { EndpointRow } from '../../domain/records';

const POSITION_KEY = 'webhooks_dispatched_through';

/** Events fanned out per round. */
export const DISPATCH_BATCH = 200;

/**
 * Whether an endpoint is to be sent an event: its owner's to see, of its
 * types, at or past the endpoint's start in the events' order (so every
 * event that commits after the endpoint, whatever its time says).
 */
function wants(endpoint: EndpointRow, event: EventHead): boolean {
  const owners = endpoint.ownerRole === 'ADMIN' || event.ownerUserId === endpoint.ownerUserId;
  return (
    owners &&
    endpoint.eventTypes.includes(event.type) &&
    event.txOrder >= endpoint.from.txOrder &&
    event.seq > endpoint.from.seq
  );
}

/**
 * Fans the next events out into deliveries for the endpoints that want
 * them, and moves the position on; how many events it read. The position's
 * row is locked for the transaction (PostgreSQL), so instances take turns;
 * a delivery made twice is refused by its unique index. With no endpoints,
 * the position moves to the newest event without reading the others.
 *
 * The endpoints are read after the events, in the same transaction: an
 * endpoint that committed before an event did is then always among them
 * (on PostgreSQL each statement sees what committed before it began).
 */
export async function dispatchEvents(db: Database): Promise<number> {
  return db.transaction(async (sql) => {
    const lock = sql.kind === 'postgres' ? ' FOR UPDATE' : '';
    const [row] = await sql.rows<{ value: string }>(
      `SELECT value FROM settings WHERE key = ?${lock}`,
      [POSITION_KEY],
    );
    const [txOrder, seq] = row.value.split('.').map((part) => BigInt(part));
    const position = { txOrder, seq };
    // Both reads of events come before the read of endpoints (see above).
    const last = await lastEventAfter(sql, position);
    if (last === null) return 0;
    const events = await eventHeadsAfter(sql, position, DISPATCH_BATCH);
    const endpoints = await endpointsOf(sql, null);
    if (endpoints.length === 0) {
      await savePosition(sql, last);
      return 0;
    }
    // One statement for the batch: the position's lock is held for no more round trips.
    await insertDeliveries(
      sql,
      events.flatMap((event) =>
        endpoints
          .filter((endpoint) => wants(endpoint, event))
          .map((endpoint) => ({ endpointId: endpoint.id, eventId: event.id })),
      ),
    );
    await savePosition(sql, events[events.length - 1]);
    return events.length;
  });
}

async function savePosition(sql: Sql, position: EventPosition): Promise<void> {
  await sql.run('UPDATE settings SET value = ? WHERE key = ?', [
    `${position.txOrder}.${position.seq}`,
    POSITION_KEY,
  ]);
}

/** Makes deliveries due at once; one that exists already is left as it is. */
async function insertDeliveries(
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

/** An attempt this process has claimed. */
export interface Claimed {
  id: string;
  endpointId: string;
  /** The endpoint's owner, whose share of the sending it takes. */
  ownerUserId: string;
  eventId: string;
  /** Attempts made before this one. */
  attempts: number;
  /** The lease this claim holds; its record must match it. */
  leaseUntilMs: number;
}

/** How much one process claims at once, and how fairly. */
export interface ClaimLimits {
  /** Endpoints it sends to at once. */
  endpointsMax: number;
  /** Of those, how many may be one owner's: one owner's silent receivers hold up only that owner. */
  endpointsPerOwnerMax: number;
  /** Deliveries claimed per endpoint, sent one after the other. */
  perEndpointMax: number;
  leaseMs: number;
}

/**
 * Claims deliveries that are due and not under anyone's lease, each leased
 * for `leaseMs`, for endpoints not in `busy` (endpoint id → owner: what
 * this process is sending to already). Owners with due work share the free
 * slots in turn, one endpoint each, the one whose delivery is oldest first,
 * and none takes more than its share. On PostgreSQL rows another instance
 * is claiming are skipped, not waited for.
 */
export async function claimDue(
  db: Database,
  limits: ClaimLimits,
  busy: ReadonlyMap<string, string>,
): Promise<Claimed[]> {
  if (busy.size >= limits.endpointsMax) return [];
  return db.transaction(async (sql) => {
    const now = nowMs(sql.kind);
    const skip = sql.kind === 'postgres' ? ' FOR UPDATE OF delivery SKIP LOCKED' : '';
    const notBusy =
      busy.size === 0
        ? ''
        : ` AND endpoint.id NOT IN (${[...busy.keys()].map(() => '?').join(', ')})`;
    // Each endpoint's oldest few: an endpoint with a backlog cannot crowd the others out.
    const candidates = await sql.rows<Row>(
      `SELECT delivery.id, delivery.endpoint_id, endpoint.owner_user_id
         FROM webhook_deliveries AS delivery
         JOIN webhook_endpoints AS endpoint ON endpoint.id = delivery.endpoint_id
        WHERE delivery.id IN (SELECT due.id FROM webhook_deliveries AS due
                               WHERE due.endpoint_id = endpoint.id AND due.status = 'PENDING'
                                 AND due.next_attempt_at <= ${now}
                                 AND (due.lease_until IS NULL OR due.lease_until <= ${now})
                               ORDER BY due.next_attempt_at, due.seq
                               LIMIT ${Math.trunc(limits.perEndpointMax)})${notBusy}
        ORDER BY delivery.next_attempt_at, delivery.seq${skip}`,
      [...busy.keys()],
    );
    const chosen = chooseEndpoints(candidates, limits, busy);
    const picked = candidates.filter((c) => chosen.has(String(c.endpoint_id)));
    const ids = picked.map((c) => String(c.id));
    const ownerOf = new Map(picked.map((c) => [String(c.id), String(c.owner_user_id)]));
    if (ids.length === 0) return [];
    const rows = await sql.rows<Row>(
      `UPDATE webhook_deliveries SET lease_until = ${now} + CAST(? AS BIGINT)
        WHERE id IN (${ids.map(() => '?').join(', ')})
        RETURNING id, endpoint_id, event_id, attempts, lease_until`,
      [limits.leaseMs, ...ids],
    );
    // In the candidates' order: each endpoint's oldest first.
    const place = new Map(ids.map((id, i) => [id, i]));
    return rows
      .map((row) => ({
        id: String(row.id),
        endpointId: String(row.endpoint_id),
        ownerUserId: ownerOf.get(String(row.id)) as string,
        eventId: String(row.event_id),
        attempts: Number(row.attempts),
        leaseUntilMs: Number(row.lease_until),
      }))
      .sort((a, b) => (place.get(a.id) ?? 0) - (place.get(b.id) ?? 0));
  });
}

/** The endpoints to claim for: owners in turn, one endpoint each, within each owner's share. */
function chooseEndpoints(
  candidates: readonly Row[],
  limits: ClaimLimits,
  busy: ReadonlyMap<string, string>,
): Set<string> {
  const waiting = new Map<string, string[]>(); // owner → endpoints, oldest delivery first
  for (const candidate of candidates) {
    const owner = String(candidate.owner_user_id);
    const endpointId = String(candidate.endpoint_id);
    const queue = waiting.get(owner) ?? [];
    if (!queue.includes(endpointId)) queue.push(endpointId);
    waiting.set(owner, queue);
  }
  const held = new Map<string, number>();
  for (const owner of busy.values()) held.set(owner, (held.get(owner) ?? 0) + 1);
  const chosen = new Set<string>();
  let total = busy.size;
  for (let more = true; more && total < limits.endpointsMax;) {
    more = false;
    for (const [owner, queue] of waiting) {
      if (total >= limits.endpointsMax) break;
      if (queue.length === 0 || (held.get(owner) ?? 0) >= limits.endpointsPerOwnerMax) continue;
      chosen.add(queue.shift() as string);
      held.set(owner, (held.get(owner) ?? 0) + 1);
      total++;
      more = true;
    }
  }
  return chosen;
}

/** The retry schedule after each failed attempt; past its end, FAILED until redelivered. */
export const RETRY_AFTER_MS = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

export type AttemptOutcome =
  | { delivered: true; statusCode: number }
  | {
      delivered: false;
      statusCode: number | null;
      error: string;
      /** No attempt can succeed (the endpoint is gone, its secret unreadable): FAILED at once. */
      final?: boolean;
    };

/**
 * Records an attempt under the lease that made it (a lease that ran out and
 * was taken by another instance records nothing here); what became of the
 * delivery.
 */
export async function recordAttempt(
  db: Database,
  claimed: Claimed,
  outcome: AttemptOutcome,
  retryScale: number,
): Promise<DeliveryStatus | null> {
  const attempts = claimed.attempts + 1;
  // undefined: no more tries (delivered, or failed for good).
  const retryInMs =
    outcome.delivered || outcome.final === true ? undefined : RETRY_AFTER_MS[attempts - 1];
  const status: DeliveryStatus = outcome.delivered
    ? 'DELIVERED'
    : retryInMs === undefined
      ? 'FAILED'
      : 'PENDING';
  const changed = await db.transaction((sql) => {
    const now = nowMs(sql.kind);
    return sql.run(
      `UPDATE webhook_deliveries
          SET status = ?, attempts = ?, last_status_code = ?, last_error = ?, lease_until = NULL,
              delivered_at = CASE WHEN ? = 'DELIVERED' THEN ${now} ELSE NULL END,
              next_attempt_at = CASE WHEN ? = 'PENDING' THEN ${now} + CAST(? AS BIGINT) ELSE NULL END
        WHERE id = ? AND lease_until = ?`,
      [
        status,
        attempts,
        outcome.statusCode,
        outcome.delivered ? null : outcome.error.slice(0, 500),
        status,
        status,
        Math.round((retryInMs ?? 0) * retryScale),
        claimed.id,
        claimed.leaseUntilMs,
      ],
    );
  });
  return changed === 1 ? status : null;
}

/** Gives claims back unattempted (shutting down): they are due again at once. */
export async function releaseClaims(db: Database, claims: readonly Claimed[]): Promise<void> {
  for (const claim of claims) {
    await db.transaction((sql) =>
      sql.run('UPDATE webhook_deliveries SET lease_until = NULL WHERE id = ? AND lease_until = ?', [
        claim.id,
        claim.leaseUntilMs,
      ]),
    );
  }
}

export interface DeliveryRow {
  seq: bigint;
  id: string;
  endpointId: string;
  eventId: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAtMs: number | null;
  deliveredAtMs: number | null;
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

/** A page of an endpoint's deliveries, newest first. */
export async function deliveriesPage(
  db: Database,
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
  const rows = await db.read((sql) =>
    sql.rows(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ${conditions.join(' AND ')}
        ORDER BY seq DESC LIMIT ${page.first + 1}`,
      params,
    ),
  );
  return rows.map(toDelivery);
}

/**
 * Sends an event to an endpoint again, at once: its delivery is made due
 * and its attempts start over (or it is made, for an event the endpoint was
 * not sent).
 */
export async function redeliver(
  db: Database,
  endpointId: string,
  eventId: string,
): Promise<DeliveryRow> {
  return db.transaction(async (sql) => {
    await insertDeliveries(sql, [{ endpointId, eventId }]);
    await sql.run(
      `UPDATE webhook_deliveries SET status = 'PENDING', attempts = 0, next_attempt_at = ${nowMs(sql.kind)},
              last_error = NULL, last_status_code = NULL, delivered_at = NULL
        WHERE endpoint_id = ? AND event_id = ?`,
      [endpointId, eventId],
    );
    const [row] = await sql.rows(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = ? AND event_id = ?`,
      [endpointId, eventId],
    );
    return toDelivery(row);
  });
}

/** The age of the oldest event still waiting for a delivery, in seconds (0: none waits). */
export async function oldestUndeliveredSeconds(db: Database): Promise<number> {
  const [row] = await db.read((sql) =>
    sql.rows<{ oldest: unknown; now: unknown }>(
      `SELECT MIN(events.created_at) AS oldest, ${nowMs(sql.kind)} AS now
         FROM webhook_deliveries JOIN events ON events.id = webhook_deliveries.event_id
        WHERE webhook_deliveries.status = 'PENDING'`,
    ),
  );
  return row.oldest === null ? 0 : Math.max(0, (Number(row.now) - Number(row.oldest)) / 1000);
}

export function eventIsFor(endpoint: EndpointRow, event: EventHead): boolean {
  return wants(endpoint, event);
}
