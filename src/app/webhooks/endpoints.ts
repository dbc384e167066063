/** Webhook endpoints: made, listed and deleted by their owner (a service account or an admin). */
import type { Database } from '../../db/database';
import { nowMs } from '../../db/clock';
import { ledgerId } from '../../db/ids';
import { isUuid } from '../../db/ids';
import type { Row, Sql } from '../../db/sql';
import type { Role } from '../../domain/enums';
import type { UserId } from '../../domain/ids';
import { DomainError } from '../../domain/errors';
import { EVENT_TYPES, type EventType } from '../../domain/event-types';
import { newSigningSecret, type SecretBox } from './secrets';
import { checkUrlShape, resolveEndpoint, type UrlPolicy } from './url-policy';
import { ENDPOINTS_PER_OWNER_MAX } from '../../domain/limits';

export interface EndpointRow {
  id: string;
  ownerUserId: UserId;
  /** The owner's role: an admin's endpoint gets every event, a service's its own. */
  ownerRole: Role;
  url: string;
  eventTypes: EventType[];
  secretCiphertext: string;
  createdAtMs: number;
  /** Where in the events' order it starts: it is sent the events at or past this (startOf). */
  from: { txOrder: bigint; seq: bigint };
}

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

/** Makes an endpoint; its secret is in the answer, and only there. */
export async function createEndpoint(
  db: Database,
  secrets: SecretBox,
  policy: UrlPolicy,
  owner: UserId,
  input: { url: string; eventTypes: readonly string[] },
): Promise<{ endpoint: EndpointRow; secret: string }> {
  const url = checkUrlShape(input.url, policy);
  const eventTypes = [...new Set(input.eventTypes)];
  if (
    eventTypes.length === 0 ||
    !eventTypes.every((t) => (EVENT_TYPES as readonly string[]).includes(t))
  ) {
    throw new DomainError('BAD_USER_INPUT', 'Name one or more event types.', {
      field: 'eventTypes',
    });
  }
  await resolveEndpoint(url, policy);
  const secret = newSigningSecret();
  const id = ledgerId();
  await db.transaction(async (sql) => {
    // The owner's row, locked, makes concurrent creations count one after another.
    if (sql.kind === 'postgres') {
      await sql.rows('SELECT id FROM users WHERE id = ? FOR NO KEY UPDATE', [owner]);
    }
    if ((await endpointsIn(sql, owner)).length >= ENDPOINTS_PER_OWNER_MAX) {
      throw new DomainError(
        'BAD_USER_INPUT',
        `An account can have at most ${ENDPOINTS_PER_OWNER_MAX} webhook endpoints.`,
      );
    }
    const start = startOf(sql.kind);
    await sql.run(
      `INSERT INTO webhook_endpoints (id, owner_user_id, url, event_types, secret_ciphertext, created_at,
         from_tx_order, from_seq)
       VALUES (?, ?, ?, ?, ?, ${nowMs(sql.kind)}, ${start.txOrder}, ${start.seq})`,
      [id, owner, url.toString(), JSON.stringify(eventTypes), secrets.seal(secret)],
    );
  });
  const endpoint = await findEndpoint(db, id);
  return { endpoint: endpoint as EndpointRow, secret };
}

export async function findEndpoint(db: Database, id: string): Promise<EndpointRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.read((sql) =>
    sql.rows(
      `SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_TABLES} WHERE endpoint.id = ? AND endpoint.deleted_at IS NULL`,
      [id],
    ),
  );
  return row === undefined ? null : toEndpoint(row);
}

/** An owner's endpoint, or NOT_FOUND (someone else's is not theirs to know of). */
export async function ownEndpoint(db: Database, owner: UserId, id: string): Promise<EndpointRow> {
  const endpoint = await findEndpoint(db, id);
  if (endpoint === null || endpoint.ownerUserId !== owner) {
    throw new DomainError('NOT_FOUND', 'You have no webhook endpoint with this id.');
  }
  return endpoint;
}

export async function listEndpoints(db: Database, owner: UserId | null): Promise<EndpointRow[]> {
  return db.read((sql) => endpointsIn(sql, owner));
}

/** An owner's endpoints (null: everyone's), as the caller's transaction sees them. */
export async function endpointsIn(sql: Sql, owner: UserId | null): Promise<EndpointRow[]> {
  const rows = await sql.rows(
    `SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_TABLES}
      WHERE endpoint.deleted_at IS NULL${owner === null ? '' : ' AND endpoint.owner_user_id = ?'}
      ORDER BY endpoint.seq`,
    owner === null ? [] : [owner],
  );
  return rows.map(toEndpoint);
}

/** The endpoints with these ids that are not deleted. */
export async function endpointsById(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, EndpointRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.read((sql) =>
    sql.rows(
      `SELECT ${ENDPOINT_COLUMNS} FROM ${ENDPOINT_TABLES}
        WHERE endpoint.deleted_at IS NULL AND endpoint.id IN (${ids.map(() => '?').join(', ')})`,
      [...ids],
    ),
  );
  return new Map(rows.map((row) => [String(row.id), toEndpoint(row)]));
}

/**
 * Deletes an endpoint: no more deliveries (those pending fail at once; one
 * fanned out meanwhile fails when the worker comes to it); what it was
 * sent stays listed nowhere.
 */
export async function deleteEndpoint(db: Database, owner: UserId, id: string): Promise<boolean> {
  const endpoint = await ownEndpoint(db, owner, id);
  await db.transaction(async (sql) => {
    await sql.run(
      `UPDATE webhook_endpoints SET deleted_at = ${nowMs(sql.kind)} WHERE id = ? AND deleted_at IS NULL`,
      [endpoint.id],
    );
    await sql.run(
      `UPDATE webhook_deliveries SET status = 'FAILED', last_error = ?, next_attempt_at = NULL,
              lease_until = NULL
        WHERE endpoint_id = ? AND status = 'PENDING'`,
      [ENDPOINT_DELETED, endpoint.id],
    );
  });
  return true;
}

/** Why a deleted endpoint's deliveries failed. */
export const ENDPOINT_DELETED = 'the endpoint was deleted';
