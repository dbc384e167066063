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

import type { OperationType } from '../../domain/enums';

/** One ledger entry: append-only; a wallet's balance is the sum of its entries. */
@Entity({ name: 'operations' })
@Index('ux_operations_id', ['id'], { unique: true })
// A wallet's operations in time order (the ledger's order too: times never go back on a wallet).
@Index('ix_operations_wallet_time', ['walletId', 'createdAtMs', 'seq'])
// Only rows with a reference: one without can never conflict (a transfer's legs).
@Index('ux_operations_initiator_reference', ['initiatorUserId', 'reference'], {
  unique: true,
  where: '"reference" IS NOT NULL',
})
// A transfer's legs, by the transfer (a repeated transfer is answered with its debit leg).
@Index('ix_operations_transfer', ['transferId'], { where: '"transfer_id" IS NOT NULL' })
// A captured hold's WITHDRAWAL, by the hold.
@Index('ix_operations_hold', ['holdId'], { where: '"hold_id" IS NOT NULL' })
@Check('chk_operations_type', `"type" IN ('DEPOSIT', 'WITHDRAWAL', 'TRANSFER_IN', 'TRANSFER_OUT')`)
@Check('chk_operations_amount', '"amount_minor" > 0')
@Check('chk_operations_balance_after', '"balance_after_minor" >= 0')
export class OperationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_operations' })
  seq!: string;

  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @ManyToOne(() => WalletEntity, { nullable: false })
  @JoinColumn({
    name: 'wallet_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_operations_wallet',
  })
  wallet!: WalletEntity;

  @Column({ name: 'wallet_id', type: 'varchar', length: 36 })
  walletId!: string;

  @Column({ type: 'varchar', length: 16 })
  type!: OperationType;

  /** Always positive; the type says the direction. */
  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ name: 'balance_after_minor', type: 'bigint' })
  balanceAfterMinor!: string;

  @ManyToOne(() => TransferEntity, { nullable: true })
  @JoinColumn({
    name: 'transfer_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_operations_transfer',
  })
  transfer!: TransferEntity | null;

  @Column({ name: 'transfer_id', type: 'varchar', length: 36, nullable: true })
  transferId!: string | null;

  @Column({ name: 'counterparty_wallet_id', type: 'varchar', length: 36, nullable: true })
  counterpartyWalletId!: string | null;

  /** The payment provider's reference, unique per service account. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  reference!: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  details!: string | null;

  /** A refund's leg: the transfer its transfer refunds. */
  @Column({ name: 'refund_of', type: 'varchar', length: 36, nullable: true })
  refundOf!: string | null;

  /** The hold whose capture this WITHDRAWAL is (no foreign key: SQLite adds a column without one). */
  @Column({ name: 'hold_id', type: 'varchar', length: 36, nullable: true })
  holdId!: string | null;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({
    name: 'initiator_user_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_operations_initiator',
  })
  initiator!: UserEntity;

  @Column({ name: 'initiator_user_id', type: 'varchar', length: 36 })
  initiatorUserId!: string;

  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;
}
