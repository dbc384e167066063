import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** express-session's sessions, kept in the database so every instance sees them. */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  sid!: string;

  @Column({ type: 'text' })
  data!: string;

  @Index()
  @Column({ name: 'expires_at', type: 'bigint' })
  expiresAtMs!: string;
}
