import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A fixed-window counter (failed logins per email and address, signups per address), shared by instances. */
@Entity({ name: 'rate_limits' })
@Index('ix_rate_limits_window_started_at', ['windowStartedAtMs'])
export class RateLimitEntity {
  @PrimaryColumn({ type: 'varchar', length: 300, primaryKeyConstraintName: 'pk_rate_limits' })
  key!: string;

  @Column({ name: 'window_started_at', type: 'bigint' })
  windowStartedAtMs!: string;

  @Column({ type: 'integer' })
  count!: number;
}
