import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { UserEntity } from './user.entity';
import { WalletEntity } from './wallet.entity';

/** A move between two wallets of one currency; its two operations sum to zero. */
@Entity({ name: 'transfers' })
@Index('ux_transfers_id', ['id'], { unique: true })
// Only rows with a key: one without can never conflict.
@Index('ux_transfers_initiator_key', ['initiatorUserId', 'idempotencyKey'], {
  unique: true,
  where: '"idempotency_key" IS NOT NULL',
})
@Index('ix_transfers_from_wallet', ['fromWalletId', 'seq'])
@Index('ix_transfers_to_wallet', ['toWalletId', 'seq'])
// A transfer's refunds, by the transfer they refund.
@Index('ix_transfers_refund_of', ['refundOf'], { where: '"refund_of" IS NOT NULL' })
@Check('chk_transfers_amount', '"amount_minor" > 0')
@Check('chk_transfers_distinct_wallets', '"from_wallet_id" <> "to_wallet_id"')
export class TransferEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_transfers' })
  seq!: string;

  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @ManyToOne(() => WalletEntity, { nullable: false })
  @JoinColumn({
    name: 'from_wallet_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_transfers_from_wallet',
  })
  fromWallet!: WalletEntity;

  @Column({ name: 'from_wallet_id', type: 'varchar', length: 36 })
  fromWalletId!: string;

  @ManyToOne(() => WalletEntity, { nullable: false })
  @JoinColumn({
    name: 'to_wallet_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_transfers_to_wallet',
  })
  toWallet!: WalletEntity;

  @Column({ name: 'to_wallet_id', type: 'varchar', length: 36 })
  toWalletId!: string;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  details!: string | null;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({
    name: 'initiator_user_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_transfers_initiator',
  })
  initiator!: UserEntity;

  @Column({ name: 'initiator_user_id', type: 'varchar', length: 36 })
  initiatorUserId!: string;

  /** The caller's idempotency key; unique per initiator, kept as long as the ledger. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 128, nullable: true })
  idempotencyKey!: string | null;

  /** The transfer this one refunds (it goes back between the same wallets); null for others. */
  @Column({ name: 'refund_of', type: 'varchar', length: 36, nullable: true })
  refundOf!: string | null;

  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;
}
