import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

import type { Role } from '../../domain/enums';

/**
 * Every table has an integer `seq` key inside (cheap inserts, keyset order)
 * and a UUID `id` that is all the outside world ever sees. Every index and
 * constraint is named here exactly as in the migrations, so generating a
 * migration from the entities finds no drift.
 */
@Entity({ name: 'users' })
@Index('ux_users_id', ['id'], { unique: true })
@Index('ux_users_email', ['email'], { unique: true })
@Check('chk_users_role', `"role" IN ('USER', 'SERVICE', 'ADMIN')`)
export class UserEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'pk_users' })
  seq!: string;

  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  /** Epoch milliseconds: the same exact integer on SQLite and PostgreSQL. */
  @Column({ name: 'created_at', type: 'bigint' })
  createdAtMs!: string;
}
