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
@Index(['initiatorUserId', 'idempotencyKey'], { unique: true })
@Check('amount_minor > 0')
export class TransferEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @ManyToOne(() => WalletEntity, { nullable: false })
  @JoinColumn({ name: 'from_wallet_id', referencedColumnName: 'id' })
  fromWallet!: WalletEntity;

  @Index()
  @Column({ name: 'from_wallet_id', type: 'varchar', length: 36 })
  fromWalletId!: string;

  @ManyToOne(() => WalletEntity, { nullable: false })
  @JoinColumn({ name: 'to_wallet_id', referencedColumnName: 'id' })
  toWallet!: WalletEntity;

  @Index()
  @Column({ name: 'to_wallet_id', type: 'varchar', length: 36 })
  toWalletId!: string;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  details!: string | null;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({ name: 'initiator_user_id', referencedColumnName: 'id' })
  initiator!: UserEntity;

  @Column({ name: 'initiator_user_id', type: 'varchar', length: 36 })
  initiatorUserId!: string;

  /** The caller's idempotency key; unique per initiator, kept as long as the ledger. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 128, nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;
}
