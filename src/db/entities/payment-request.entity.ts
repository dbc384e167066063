import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { TransferEntity } from './transfer.entity';
import { UserEntity } from './user.entity';
import { WalletEntity } from './wallet.entity';

import type { PaymentRequestStatus } from '../../domain/enums';

/** One person asking another to pay them; paid once, with one transfer, or declined or canceled. */
@Entity({ name: 'payment_requests' })
@Index('ux_payment_requests_id', ['id'], { unique: true })
@Index('ux_payment_requests_requester_key', ['requesterUserId', 'idempotencyKey'], {
  unique: true,
  where: '"idempotency_key" IS NOT NULL',
})
@Index('ix_payment_requests_requester', ['requesterUserId', 'seq'])
@Index('ix_payment_requests_payer', ['payerUserId', 'seq'])
@Index('ix_payment_requests_pending_expiry', ['expiresAtMs'], { where: `"status" = 'PENDING'` })
@Check('chk_payment_requests_amount', '"amount_minor" > 0')
@Check(
  'chk_payment_requests_status',
  `"status" IN ('PENDING', 'PAID', 'DECLINED', 'CANCELED', 'EXPIRED')`,
)
@Check('chk_payment_requests_parties', '"requester_user_id" <> "payer_user_id"')
export class PaymentRequestEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_payment_requests' })
  seq!: string;

  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({
    name: 'requester_user_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_payment_requests_requester',
  })
  requester!: UserEntity;

  @Column({ name: 'requester_user_id', type: 'varchar', length: 36 })
  requesterUserId!: string;

  @ManyToOne(() => WalletEntity, { nullable: false })
  @JoinColumn({
    name: 'requester_wallet_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_payment_requests_requester_wallet',
  })
  requesterWallet!: WalletEntity;

  @Column({ name: 'requester_wallet_id', type: 'varchar', length: 36 })
  requesterWalletId!: string;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({
    name: 'payer_user_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_payment_requests_payer',
  })
  payer!: UserEntity;

  @Column({ name: 'payer_user_id', type: 'varchar', length: 36 })
  payerUserId!: string;

  @ManyToOne(() => WalletEntity, { nullable: false })
  @JoinColumn({
    name: 'payer_wallet_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_payment_requests_payer_wallet',
  })
  payerWallet!: WalletEntity;

  @Column({ name: 'payer_wallet_id', type: 'varchar', length: 36 })
  payerWalletId!: string;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  details!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: PaymentRequestStatus;

  /** The requester's key; unique per requester. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 128, nullable: true })
  idempotencyKey!: string | null;

  /** Epoch milliseconds by the database's clock. */
  @Column({ name: 'expires_at', type: 'bigint' })
  expiresAtMs!: string;

  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;

  @Column({ name: 'resolved_at', type: 'bigint', nullable: true })
  resolvedAtMs!: string | null;

  @ManyToOne(() => TransferEntity, { nullable: true })
  @JoinColumn({
    name: 'transfer_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_payment_requests_transfer',
  })
  transfer!: TransferEntity | null;

  @Column({ name: 'transfer_id', type: 'varchar', length: 36, nullable: true })
  transferId!: string | null;
}
