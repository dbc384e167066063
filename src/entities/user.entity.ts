import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type Role = 'USER' | 'SERVICE' | 'ADMIN';
export const ROLES: readonly Role[] = ['USER', 'SERVICE', 'ADMIN'];

/**
 * Every table has an integer `seq` key inside (cheap inserts, keyset order)
 * and a UUID `id` that is all the outside world ever sees.
 */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Index({ unique: true })
  @Column({ type: 'varchar', length: 36 })
  id!: string;

  @Index({ unique: true })
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
