/**
 * What a service account or an admin does with its webhooks: endpoints
 * made, listed and deleted, their deliveries read, an event sent again.
 */
import { findEvent } from '../../db/queries';
import type { Caller } from '../../domain/caller';
import type { DeliveryStatus } from '../../domain/enums';
import { DomainError } from '../../domain/errors';
import { pageRequest, toPage, type Page } from '../../domain/pages';
import type { Services } from '../services';
import { deliveriesPage, eventIsFor, redeliver } from './deliveries';
import type { DeliveryRow, EndpointRow } from '../../domain/records';
import { createEndpoint, deleteEndpoint, listEndpoints, ownEndpoint } from './endpoints';

/** Makes an endpoint; its secret is in the answer, and only there. */
export function createWebhookEndpoint(
  services: Services,
  caller: Caller,
  input: { url: string; eventTypes: readonly string[] },
): Promise<{ endpoint: EndpointRow; secret: string }> {
  const { db, secrets, config } = services;
  const policy = { production: config.production, allowPrivate: config.webhooksAllowPrivateUrls };
  return createEndpoint(db, secrets, policy, caller.userId, input);
}

export function deleteWebhookEndpoint(
  services: Services,
  caller: Caller,
  id: string,
): Promise<boolean> {
  return deleteEndpoint(services.db, caller.userId, id);
}

export function listWebhookEndpoints(services: Services, caller: Caller): Promise<EndpointRow[]> {
  return listEndpoints(services.db, caller.userId);
}

/** A page of one of the caller's endpoints' deliveries, newest first. */
export async function listDeliveries(
  services: Services,
  caller: Caller,
  endpointId: string,
  status: DeliveryStatus | null,
  first: number,
  after: string | null,
): Promise<Page<DeliveryRow>> {
  const { db } = services;
  const endpoint = await ownEndpoint(db, caller.userId, endpointId);
  const page = pageRequest(first, after, `deliveries/${endpoint.id}/${status ?? 'ALL'}`);
  const rows = await deliveriesPage(db, endpoint.id, status, page);
  return toPage(rows, page, (row) => row);
}

/** Sends an event to one of the caller's endpoints again, at once, its attempts starting over. */
export async function redeliverEvent(
  services: Services,
  caller: Caller,
  endpointId: string,
  eventId: string,
): Promise<DeliveryRow> {
  const { db } = services;
  const endpoint = await ownEndpoint(db, caller.userId, endpointId);
  const event = await db.read((sql) => findEvent(sql, eventId));
  if (event === null || !eventIsFor(endpoint, event)) {
    throw new DomainError('NOT_FOUND', 'This endpoint has no such event to be sent.');
  }
  return redeliver(db, endpoint.id, event.id);
}
