import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** The outbox: one row per change, written in the change's own transaction. */
@Entity({ name: 'events' })
@Index('ux_events_id', ['id'], { unique: true })
@Index('ix_events_order', ['txOrder', 'seq'])
@Index('ix_events_owner_order', ['ownerUserId', 'txOrder', 'seq'], {
  where: '"owner_user_id" IS NOT NULL',
})
export class EventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_events' })
  seq!: string;

  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  /** The service account whose reference or hold it reports; null: only admins see it. */
  @ManyToOne(() => UserEntity, { nullable: true })
  @JoinColumn({
    name: 'owner_user_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_events_owner',
  })
  owner!: UserEntity | null;

  @Column({ name: 'owner_user_id', type: 'varchar', length: 36, nullable: true })
  ownerUserId!: string | null;

  /** A JSON array of the wallets it concerns. */
  @Column({ name: 'wallet_ids', type: 'text' })
  walletIds!: string;

  /** The webhook's JSON body. */
  @Column({ type: 'text' })
  body!: string;

  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;

  /** The writing transaction's id on PostgreSQL, 0 on SQLite: readers page by (tx_order, seq). */
  @Column({ name: 'tx_order', type: 'bigint', default: 0 })
  txOrder!: string;
}
