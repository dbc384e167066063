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
import { mapPage } from '../../domain/pages';
import { type DeliveryRow, type EndpointRow, type EventRow } from '../../domain/records';
import type { DeliveryStatus as DeliveryStatusName } from '../../domain/enums';
import type { EventType } from '../../domain/event-types';
import * as events from '../../app/events';
import * as webhooks from '../../app/webhooks/manage';
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
    assertDistinct(types, 'types');
    const page = await events.listEvents(
      context.services,
      signedIn(context),
      types ?? null,
      first,
      after ?? null,
    );
    return mapPage(page, eventView);
  }

  @Authorized(Role.SERVICE, Role.ADMIN)
  @Mutation(() => CreatedWebhookEndpointView, {
    description: 'Where to send events of these types; the signing secret is in this answer only.',
  })
  async createWebhookEndpoint(
    @Arg('input') input: CreateWebhookEndpointInput,
    @Ctx() context: Context,
  ): Promise<CreatedWebhookEndpointView> {
    const { endpoint, secret } = await webhooks.createWebhookEndpoint(
      context.services,
      signedIn(context),
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
    return webhooks.deleteWebhookEndpoint(context.services, signedIn(context), id);
  }

  @Authorized(Role.SERVICE, Role.ADMIN)
  @Query(() => [WebhookEndpointView], { description: "The caller's endpoints." })
  async webhookEndpoints(@Ctx() context: Context): Promise<WebhookEndpointView[]> {
    const rows = await webhooks.listWebhookEndpoints(context.services, signedIn(context));
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
    const page = await webhooks.listDeliveries(
      context.services,
      signedIn(context),
      endpointId,
      status ?? null,
      first,
      after,
    );
    return mapPage(page, deliveryView);
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
    return deliveryView(
      await webhooks.redeliverEvent(context.services, signedIn(context), endpointId, eventId),
    );
  }

  @FieldResolver(() => EventView)
  async event(@Root() delivery: WebhookDeliveryView, @Ctx() context: Context): Promise<EventView> {
    const event = await events.eventById(context.services, delivery.eventId);
    assert.ok(event, `delivery ${delivery.id} has its event`);
    return eventView(event);
  }
}
