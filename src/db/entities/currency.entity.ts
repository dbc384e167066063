import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** An ISO 4217 currency and its minor-unit exponent. Rows come from migrations only. */
@Entity({ name: 'currencies' })
@Check('chk_currencies_precision', '"precision" BETWEEN 0 AND 4')
export class CurrencyEntity {
  @PrimaryColumn({ type: 'varchar', length: 3, primaryKeyConstraintName: 'pk_currencies' })
  code!: string;

  @Column({ type: 'integer' })
  precision!: number;
}
