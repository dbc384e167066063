/**
 * Deliveries: one per event and endpoint. Events are fanned out into them
 * by one instance at a time, in the events' safe order (eventsPage), from a
 * position kept in `settings`; attempts are claimed with a lease, so one
 * instance's attempt never runs beside another's, and one that dies with a
 * lease held is resumed once the lease runs out, with the same webhook-id.
 */
import type { Database } from '../../db/database';
import {
  dueDeliveries,
  endpointDeliveriesPage,
  endpointsOf,
  eventHeadsAfter,
  findDelivery,
  insertDeliveries,
  lastEventAfter,
  leaseDeliveries,
  lockDispatchPosition,
  oldestUndeliveredEvent,
  recordDeliveryAttempt,
  releaseLease,
  resetDelivery,
  saveDispatchPosition,
  type DueDelivery,
  type EventHead,
} from '../../db/queries';
import type { DeliveryStatus } from '../../domain/enums';
import type { DeliveryRow, EndpointRow } from '../../domain/records';

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
    const position = await lockDispatchPosition(sql);
    // Both reads of events come before the read of endpoints (see above).
    const last = await lastEventAfter(sql, position);
    if (last === null) return 0;
    const events = await eventHeadsAfter(sql, position, DISPATCH_BATCH);
    const endpoints = await endpointsOf(sql, null);
    if (endpoints.length === 0) {
      await saveDispatchPosition(sql, last);
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
    await saveDispatchPosition(sql, events[events.length - 1]);
    return events.length;
  });
}

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
    const candidates = await dueDeliveries(sql, limits.perEndpointMax, [...busy.keys()]);
    const chosen = chooseEndpoints(candidates, limits, busy);
    const picked = candidates.filter((c) => chosen.has(c.endpointId));
    const ids = picked.map((c) => c.id);
    const ownerOf = new Map(picked.map((c) => [c.id, c.ownerUserId]));
    if (ids.length === 0) return [];
    const leased = await leaseDeliveries(sql, ids, limits.leaseMs);
    // In the candidates' order: each endpoint's oldest first.
    const place = new Map(ids.map((id, i) => [id, i]));
    return leased
      .map((delivery) => ({ ...delivery, ownerUserId: ownerOf.get(delivery.id) as string }))
      .sort((a, b) => (place.get(a.id) ?? 0) - (place.get(b.id) ?? 0));
  });
}

/** The endpoints to claim for: owners in turn, one endpoint each, within each owner's share. */
function chooseEndpoints(
  candidates: readonly DueDelivery[],
  limits: ClaimLimits,
  busy: ReadonlyMap<string, string>,
): Set<string> {
  const waiting = new Map<string, string[]>(); // owner → endpoints, oldest delivery first
  for (const candidate of candidates) {
    const owner = candidate.ownerUserId;
    const endpointId = candidate.endpointId;
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
  const changed = await db.transaction((sql) =>
    recordDeliveryAttempt(sql, claimed, {
      status,
      attempts,
      statusCode: outcome.statusCode,
      error: outcome.delivered ? null : outcome.error.slice(0, 500),
      retryInMs: Math.round((retryInMs ?? 0) * retryScale),
    }),
  );
  return changed === 1 ? status : null;
}

/** Gives claims back unattempted (shutting down): they are due again at once. */
export async function releaseClaims(db: Database, claims: readonly Claimed[]): Promise<void> {
  for (const claim of claims) {
    await db.transaction((sql) => releaseLease(sql, claim));
  }
}

/** A page of an endpoint's deliveries, newest first. */
export async function deliveriesPage(
  db: Database,
  endpointId: string,
  status: DeliveryStatus | null,
  page: { first: number; beforeSeq: bigint | null },
): Promise<DeliveryRow[]> {
  return db.read((sql) => endpointDeliveriesPage(sql, endpointId, status, page));
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
    await resetDelivery(sql, endpointId, eventId);
    return findDelivery(sql, endpointId, eventId);
  });
}

/** The age of the oldest event still waiting for a delivery, in seconds (0: none waits). */
export async function oldestUndeliveredSeconds(db: Database): Promise<number> {
  const { oldestMs, nowMs } = await db.read((sql) => oldestUndeliveredEvent(sql));
  return oldestMs === null ? 0 : Math.max(0, (nowMs - oldestMs) / 1000);
}

export function eventIsFor(endpoint: EndpointRow, event: EventHead): boolean {
  return wants(endpoint, event);
}
