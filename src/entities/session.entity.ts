import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** express-session's sessions, kept in the database so every instance sees them. */
@Entity({ name: 'sessions' })
@Index('ix_sessions_expires_at', ['expiresAtMs'])
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 128, primaryKeyConstraintName: 'pk_sessions' })
  sid!: string;

  @Column({ type: 'text' })
  data!: string;

  @Column({ name: 'expires_at', type: 'bigint' })
  expiresAtMs!: string;
}
