/** Users: by id, by email, a wallet owner's name as others see it; made, given a password and role. */
import { isUuid } from '../ids';
import type { Sql } from '../sql';
import { USER_COLUMNS, toUser } from '../rows';
import { type UserRow } from '../../domain/records';
import { isStorableText } from '../../domain/text';
import { type UserId, type WalletId } from '../../domain/ids';
import type { Role } from '../../domain/enums';
import { one } from './one';

export async function findUserById(sql: Sql, id: string): Promise<UserRow | null> {
  if (!isUuid(id)) return null;
  const row = await one(sql.rows(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]));
  return row && toUser(row);
}

export async function findUserByEmail(sql: Sql, email: string): Promise<UserRow | null> {
  if (!isStorableText(email)) return null;
  const row = await one(sql.rows(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`, [email]));
  return row && toUser(row);
}

/** The name of a wallet's owner, as another person may see it. */
export async function ownerNameOf(sql: Sql, walletId: WalletId): Promise<string | null> {
  const row = await one(
    sql.rows<{ name: string }>(
      'SELECT users.name FROM wallets JOIN users ON users.id = wallets.user_id WHERE wallets.id = ?',
      [walletId],
    ),
  );
  return row && String(row.name);
}

/** Inserts a user as made (its seq aside); the user with the seq the database gave it. */
export async function insertUser(sql: Sql, user: UserRow): Promise<UserRow> {
  const [inserted] = await sql.rows<{ seq: unknown }>(
    `INSERT INTO users (id, email, name, password_hash, role, created_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`,
    [user.id, user.email, user.name, user.passwordHash, user.role, user.createdAtMs],
  );
  return { ...user, seq: BigInt(String(inserted.seq)) };
}

export async function setPasswordAndRole(
  sql: Sql,
  userId: UserId,
  passwordHash: string,
  role: Role,
): Promise<void> {
  await sql.run('UPDATE users SET password_hash = ?, role = ? WHERE id = ?', [
    passwordHash,
    role,
    userId,
  ]);
}
