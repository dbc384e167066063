import assert from 'node:assert/strict';
import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import {
  encodeEventCursor,
  eventPageRequest,
  filterKey,
  lists,
  pageRequest,
  toPage,
} from '../../domain/pages';
import { eventsPage, findEvent } from '../../db/queries';
import { type EventRow } from '../../domain/records';
import type { DeliveryStatus as DeliveryStatusName } from '../../domain/enums';
import { DomainError } from '../../domain/errors';
import type { EventType } from '../../domain/event-types';
import {
  deliveriesPage,
  eventIsFor,
  redeliver,
  type DeliveryRow,
} from '../../app/webhooks/deliveries';
import {
  createEndpoint,
  deleteEndpoint,
  listEndpoints,
  ownEndpoint,
  type EndpointRow,
} from '../../app/webhooks/endpoints';
import { CreateWebhookEndpointInput } from '../inputs';
import {
  CreatedWebhookEndpointView,
  DeliveryStatus,
  EventConnection,
  EventTypeEnum,
  EventView,
  Role,
  WebhookDeliveryConnection,
  WebhookDeliveryView,
  WebhookEndpointView,
} from '../types';
import { assertDistinct } from '../validation';
import { pageComplexity } from './wallet.resolver';

function eventView(row: EventRow): EventView {
  return {
    id: row.id,
    type: row.type,
    createdAt: new Date(row.createdAtMs),
    walletIds: row.walletIds,
    data: row.body,
  };
}

function endpointView(row: EndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes,
    enabled: true,
    createdAt: new Date(row.createdAtMs),
  };
}

function deliveryView(row: DeliveryRow): WebhookDeliveryView {
  const at = (ms: number | null) => (ms === null ? null : new Date(ms));
  return {
    id: row.id,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    nextAttemptAt: at(row.nextAttemptAtMs),
    deliveredAt: at(row.deliveredAtMs),
    eventId: row.eventId,
  };
}

/** The event types asked for, as the list's name needs them: sorted and hashed short. */
function typesHash(types: readonly EventType[] | null): string {
  return filterKey([types === null ? null : [...types].sort().join(',')]);
}

/** Events, and the webhooks that send them: for service accounts (their own) and admins. */
@Resolver(() => WebhookDeliveryView)
export class WebhookResolver {
  @Authorized(Role.SERVICE, Role.ADMIN)
  @Query(() => EventConnection, {
    description:
      "Oldest first; a reader who pages on never misses or repeats one. A service account's: of its references and holds; an admin's: all.",
    complexity: pageComplexity,
  })
  async events(
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('types', () => [EventTypeEnum], { nullable: true }) types: EventType[] | null,
    @Ctx() context: Context,
  ) {
    const caller = signedIn(context);
    assertDistinct(types, 'types');
    const ownerUserId = caller.role === 'ADMIN' ? null : caller.userId;
    const wanted = types === null || types === undefined || types.length === 0 ? null : types;
    const page = eventPageRequest(first, after, lists.events(ownerUserId, typesHash(wanted)));
    const rows = await context.services.db.read((sql) =>
      eventsPage(sql, { ownerUserId, types: wanted }, page),
    );
    return toPage(
      rows,
      page,
      eventView,
      (row) => encodeEventCursor(page.list, row),
      // Where the next page starts, also when this one is empty: the reader keeps its place.
      after ?? null,
    );
  }

  @Authorized(Role.SERVICE, Role.ADMIN)
  @Mutation(() => CreatedWebhookEndpointView, {
    description: 'Where to send events of these types; the signing secret is in this answer only.',
  })
  async createWebhookEndpoint(
    @Arg('input') input: CreateWebhookEndpointInput,
    @Ctx() context: Context,
  ): Promise<CreatedWebhookEndpointView> {
    const caller = signedIn(context);
    const { db, secrets, config } = context.services;
    const { endpoint, secret } = await createEndpoint(
      db,
      secrets,
      { production: config.production, allowPrivate: config.webhooksAllowPrivateUrls },
      caller.userId,
      input,
    );
    return { endpoint: endpointView(endpoint), secret };
  }

  @Authorized(Role.SERVICE, Role.ADMIN)
  @Mutation(() => Boolean, { description: 'No more deliveries to it.' })
  deleteWebhookEndpoint(
    @Arg('id', () => ID) id: string,
    @Ctx() context: Context,
  ): Promise<boolean> {
    return deleteEndpoint(context.services.db, signedIn(context).userId, id);
  }

  @Authorized(Role.SERVICE, Role.ADMIN)
  @Query(() => [WebhookEndpointView], { description: "The caller's endpoints." })
  async webhookEndpoints(@Ctx() context: Context): Promise<WebhookEndpointView[]> {
    const rows = await listEndpoints(context.services.db, signedIn(context).userId);
    return rows.map(endpointView);
  }

  @Authorized(Role.SERVICE, Role.ADMIN)
  @Query(() => WebhookDeliveryConnection, {
    description: "One of the caller's endpoints' deliveries, newest first.",
    complexity: pageComplexity,
  })
  async webhookDeliveries(
    @Arg('endpointId', () => ID) endpointId: string,
    @Arg('status', () => DeliveryStatus, { nullable: true }) status: DeliveryStatusName | null,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: Context,
  ) {
    const { db } = context.services;
    const endpoint = await ownEndpoint(db, signedIn(context).userId, endpointId);
    const page = pageRequest(first, after, `deliveries/${endpoint.id}/${status ?? 'ALL'}`);
    const rows = await deliveriesPage(db, endpoint.id, status ?? null, page);
    return toPage(rows, page, deliveryView);
  }

  @Authorized(Role.SERVICE, Role.ADMIN)
  @Mutation(() => WebhookDeliveryView, {
    description: 'Sends the event to the endpoint again, at once, its attempts starting over.',
  })
  async redeliverEvent(
    @Arg('endpointId', () => ID) endpointId: string,
    @Arg('eventId', () => ID) eventId: string,
    @Ctx() context: Context,
  ): Promise<WebhookDeliveryView> {
    const { db } = context.services;
    const endpoint = await ownEndpoint(db, signedIn(context).userId, endpointId);
    const event = await db.read((sql) => findEvent(sql, eventId));
    if (event === null || !eventIsFor(endpoint, event)) {
      throw new DomainError('NOT_FOUND', 'This endpoint has no such event to be sent.');
    }
    return deliveryView(await redeliver(db, endpoint.id, event.id));
  }

  @FieldResolver(() => EventView)
  async event(@Root() delivery: WebhookDeliveryView, @Ctx() context: Context): Promise<EventView> {
    const event = await context.services.db.read((sql) => findEvent(sql, delivery.eventId));
    assert.ok(event, `delivery ${delivery.id} has its event`);
    return eventView(event);
  }
}
