import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** express-session's sessions, kept in the database so every instance sees them. */
@Entity({ name: 'sessions' })
@Index('ix_sessions_expires_at', ['expiresAtMs'])
@Index('ix_sessions_user_id', ['userId'])
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 128, primaryKeyConstraintName: 'pk_sessions' })
  sid!: string;

  @Column({ type: 'text' })
  data!: string;

  @Column({ name: 'expires_at', type: 'bigint' })
  expiresAtMs!: string;

  /** Whose session: a password change ends all of a user's sessions at once. */
  @Column({ name: 'user_id', type: 'varchar', length: 36, nullable: true })
  userId!: string | null;

  /** When it began (the database's clock): the absolute lifetime counts from here. */
  @Column({ name: 'created_at', type: 'bigint', default: 0 })
  createdAtMs!: string;
}
