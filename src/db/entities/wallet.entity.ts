import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { CurrencyEntity } from './currency.entity';
import { UserEntity } from './user.entity';

@Entity({ name: 'wallets' })
@Index('ux_wallets_id', ['id'], { unique: true })
@Index('ux_wallets_user_currency', ['userId', 'currency'], { unique: true })
@Check('chk_wallets_balance', '"balance_minor" >= 0')
@Check('chk_wallets_held', '"held_minor" >= 0 AND "held_minor" <= "balance_minor"')
export class WalletEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_wallets' })
  seq!: string;

  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @ManyToOne(() => UserEntity, { nullable: false })
  @JoinColumn({
    name: 'user_id',
    referencedColumnName: 'id',
    foreignKeyConstraintName: 'fk_wallets_user',
  })
  user!: UserEntity;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @ManyToOne(() => CurrencyEntity, { nullable: false })
  @JoinColumn({
    name: 'currency',
    referencedColumnName: 'code',
    foreignKeyConstraintName: 'fk_wallets_currency',
  })
  currencyRow!: CurrencyEntity;

  @Column({ type: 'varchar', length: 3 })
  currency!: string;

  /** Integer minor units; only the ledger writes it. */
  @Column({ name: 'balance_minor', type: 'bigint', default: 0 })
  balanceMinor!: string;

  /**
   * What the wallet's holds stored as PENDING reserve, in minor units (some
   * may have expired: their reserve is released by the next movement that
   * needs it). Only the ledger writes it, under the wallet's lock.
   */
  @Column({ name: 'held_minor', type: 'bigint', default: 0 })
  heldMinor!: string;

  /**
   * Written first by every movement that touches this wallet (ascending id
   * order): the row lock it takes is what serializes movements on the wallet.
   */
  @Column({ name: 'lock_version', type: 'bigint', default: 0 })
  lockVersion!: string;

  /**
   * The time of the wallet's last operation: a movement's time is never
   * earlier (ledger/legs.ts, movementTime), so its operations' times never go back.
   */
  @Column({ name: 'last_operation_at', type: 'bigint', default: 0 })
  lastOperationAtMs!: string;

  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;
}
