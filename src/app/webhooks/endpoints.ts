/** Webhook endpoints: made, listed and deleted by their owner (a service account or an admin). */
import type { Database } from '../../db/database';
import { ledgerId } from '../../db/ids';
import { isUuid } from '../../db/ids';
import {
  endpointsOf,
  endpointsWithIds,
  failPendingDeliveries,
  findEndpoint as findEndpointIn,
  insertEndpoint,
  lockEndpointOwner,
  markEndpointDeleted,
} from '../../db/queries';
import type { UserId } from '../../domain/ids';
import { DomainError } from '../../domain/errors';
import { EVENT_TYPES } from '../../domain/event-types';
import type { EndpointRow } from '../../domain/records';
import { newSigningSecret, type SecretBox } from './secrets';
import { checkUrlShape, resolveEndpoint, type UrlPolicy } from './url-policy';
import { ENDPOINTS_PER_OWNER_MAX } from '../../domain/limits';

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
    await lockEndpointOwner(sql, owner);
    if ((await endpointsOf(sql, owner)).length >= ENDPOINTS_PER_OWNER_MAX) {
      throw new DomainError(
        'BAD_USER_INPUT',
        `An account can have at most ${ENDPOINTS_PER_OWNER_MAX} webhook endpoints.`,
      );
    }
    await insertEndpoint(sql, {
      id,
      owner,
      url: url.toString(),
      eventTypes,
      secretCiphertext: secrets.seal(secret),
    });
  });
  const endpoint = await findEndpoint(db, id);
  return { endpoint: endpoint as EndpointRow, secret };
}

export async function findEndpoint(db: Database, id: string): Promise<EndpointRow | null> {
  if (!isUuid(id)) return null;
  return db.read((sql) => findEndpointIn(sql, id));
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
  return db.read((sql) => endpointsOf(sql, owner));
}

/** The endpoints with these ids that are not deleted. */
export async function endpointsById(
  db: Database,
  ids: readonly string[],
): Promise<Map<string, EndpointRow>> {
  if (ids.length === 0) return new Map();
  const endpoints = await db.read((sql) => endpointsWithIds(sql, ids));
  return new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]));
}

/**
 * Deletes an endpoint: no more deliveries (those pending fail at once; one
 * fanned out meanwhile fails when the worker comes to it); what it was
 * sent stays listed nowhere.
 */
export async function deleteEndpoint(db: Database, owner: UserId, id: string): Promise<boolean> {
  const endpoint = await ownEndpoint(db, owner, id);
  await db.transaction(async (sql) => {
    await markEndpointDeleted(sql, endpoint.id);
    await failPendingDeliveries(sql, endpoint.id, ENDPOINT_DELETED);
  });
  return true;
}

/** Why a deleted endpoint's deliveries failed. */
export const ENDPOINT_DELETED = 'the endpoint was deleted';
