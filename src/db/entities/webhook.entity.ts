import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { EventEntity } from './event.entity';
import { UserEntity } from './user.entity';
import type { DeliveryStatus } from '../../domain/enums';

/** Where a service account or an admin wants its events sent. */
@Entity({ name: 'webhook_endpoints' })
@Index('ux_webhook_endpoints_id', ['id'], { unique: true })
@Index('ix_webhook_endpoints_owner', ['ownerUserId'])
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_webhook_endpoints' })
  seq!: string;

  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({
    name: 'owner_user_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_webhook_endpoints_owner',
  })
  owner!: UserEntity;

  @Column({ name: 'owner_user_id', type: 'varchar', length: 36 })
  ownerUserId!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** A JSON array of event types. */
  @Column({ name: 'event_types', type: 'text' })
  eventTypes!: string;

  /** The signing secret, encrypted (webhooks/secrets.ts). */
  @Column({ name: 'secret_ciphertext', type: 'text' })
  secretCiphertext!: string;

  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;

  @Column({ name: 'deleted_at', type: 'bigint', nullable: true })
  deletedAtMs!: string | null;

  /** Where in the events' (tx_order, seq) order it starts (webhooks/endpoints.ts). */
  @Column({ name: 'from_tx_order', type: 'bigint', default: 0 })
  fromTxOrder!: string;

  @Column({ name: 'from_seq', type: 'bigint', default: 0 })
  fromSeq!: string;
}

/** One event on its way to one endpoint. */
@Entity({ name: 'webhook_deliveries' })
@Index('ux_webhook_deliveries_id', ['id'], { unique: true })
@Index('ux_webhook_deliveries_endpoint_event', ['endpointId', 'eventId'], { unique: true })
@Index('ix_webhook_deliveries_due', ['nextAttemptAtMs'], { where: `"status" = 'PENDING'` })
@Index('ix_webhook_deliveries_endpoint_due', ['endpointId', 'nextAttemptAtMs'], {
  where: `"status" = 'PENDING'`,
})
@Check('chk_webhook_deliveries_status', `"status" IN ('PENDING', 'DELIVERED', 'FAILED')`)
export class WebhookDeliveryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_webhook_deliveries' })
  seq!: string;

  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @ManyToOne(() => WebhookEndpointEntity, { nullable: false })
  @JoinColumn({
    name: 'endpoint_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_webhook_deliveries_endpoint',
  })
  endpoint!: WebhookEndpointEntity;

  @Column({ name: 'endpoint_id', type: 'varchar', length: 36 })
  endpointId!: string;

  @ManyToOne(() => EventEntity, { nullable: false })
  @JoinColumn({
    name: 'event_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_webhook_deliveries_event',
  })
  event!: EventEntity;

  @Column({ name: 'event_id', type: 'varchar', length: 36 })
  eventId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ name: 'next_attempt_at', type: 'bigint', nullable: true })
  nextAttemptAtMs!: string | null;

  @Column({ name: 'delivered_at', type: 'bigint', nullable: true })
  deliveredAtMs!: string | null;

  /** While an attempt is under way: no other instance makes one until then. */
  @Column({ name: 'lease_until', type: 'bigint', nullable: true })
  leaseUntilMs!: string | null;

  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;
}
