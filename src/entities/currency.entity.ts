import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An ISO 4217 currency and its minor-unit exponent. Rows come from migrations only. */
@Entity({ name: 'currencies' })
export class CurrencyEntity {
  @PrimaryColumn({ type: 'varchar', length: 3 })
  code!: string;

  @Column({ type: 'integer' })
  precision!: number;
}
