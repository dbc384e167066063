/** Events, and the webhook endpoints and deliveries that send them. */
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { DeliveryStatus as DeliveryStatusName } from '../../domain/enums';
import { type EventType as EventTypeName } from '../../domain/event-types';
import { DateTimeScalar } from '../scalars';
import { SIMPLE } from './simple';
import { DeliveryStatus, EventTypeEnum } from './enums';

@ObjectType('Event', {
  ...SIMPLE,
  description: 'Something that happened, as a webhook reports it.',
})
export class EventView {
  @Field(() => ID)
  id!: string;

  @Field(() => EventTypeEnum)
  type!: EventTypeName;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => [ID])
  walletIds!: string[];

  @Field({ description: "The webhook's JSON body." })
  data!: string;
}

@ObjectType('WebhookEndpoint', SIMPLE)
export class WebhookEndpointView {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => [EventTypeEnum])
  eventTypes!: EventTypeName[];

  @Field({ description: 'Whether it is sent events (a deleted endpoint is gone).' })
  enabled!: boolean;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('CreatedWebhookEndpoint', SIMPLE)
export class CreatedWebhookEndpointView {
  @Field(() => WebhookEndpointView)
  endpoint!: WebhookEndpointView;

  @Field({ description: 'The signing secret (whsec_…): shown here once, never again.' })
  secret!: string;
}

@ObjectType('WebhookDelivery', SIMPLE)
export class WebhookDeliveryView {
  @Field(() => ID)
  id!: string;

  @Field(() => DeliveryStatus)
  status!: DeliveryStatusName;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  deliveredAt!: Date | null;

  /** For WebhookDelivery.event. */
  eventId!: string;
}
