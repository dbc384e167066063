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

import type { HoldStatus } from '../../domain/enums';

/** A reserve on a wallet's balance, authorized by a service account, captured or voided once. */
@Entity({ name: 'holds' })
@Index('ux_holds_id', ['id'], { unique: true })
@Index('ux_holds_service_reference', ['serviceUserId', 'reference'], { unique: true })
@Index('ix_holds_wallet_seq', ['walletId', 'seq'])
@Index('ix_holds_pending_expiry', ['expiresAtMs'], { where: `"status" = 'PENDING'` })
@Check('chk_holds_amount', '"amount_minor" > 0')
@Check(
  'chk_holds_captured',
  '"captured_minor" IS NULL OR ("captured_minor" > 0 AND "captured_minor" <= "amount_minor")',
)
@Check('chk_holds_status', `"status" IN ('PENDING', 'CAPTURED', 'VOIDED', 'EXPIRED')`)
export class HoldEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_holds' })
  seq!: string;

  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @ManyToOne(() => WalletEntity, { nullable: false })
  @JoinColumn({
    name: 'wallet_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_holds_wallet',
  })
  wallet!: WalletEntity;

  @Column({ name: 'wallet_id', type: 'varchar', length: 36 })
  walletId!: string;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({
    name: 'service_user_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_holds_service_user',
  })
  serviceUser!: UserEntity;

  @Column({ name: 'service_user_id', type: 'varchar', length: 36 })
  serviceUserId!: string;

  @Column({ type: 'varchar', length: 128 })
  reference!: string;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ name: 'captured_minor', type: 'bigint', nullable: true })
  capturedMinor!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: HoldStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  details!: string | null;

  /** Epoch milliseconds by the database's clock. */
  @Column({ name: 'expires_at', type: 'bigint' })
  expiresAtMs!: string;

  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;

  @Column({ name: 'resolved_at', type: 'bigint', nullable: true })
  resolvedAtMs!: string | null;
}
