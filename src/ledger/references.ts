/**
 * A service account's references: one namespace for its deposits,
 * withdrawals and holds. Each movement that takes a reference records it in
 * its transaction; the primary key is what refuses a second taker, also one
 * of another kind at the same moment.
 */
import { isStorableText } from '../domain/text';
import { type UserId } from '../domain/ids';
import type { Sql } from '../db/sql';

import type { ReferenceKind } from '../domain/enums';

export interface ServiceReference {
  kind: ReferenceKind;
  /** The operation (a deposit or withdrawal) or the hold. */
  targetId: string;
}

export async function recordReference(
  sql: Sql,
  serviceUserId: UserId,
  reference: string,
  taken: ServiceReference,
): Promise<void> {
  await sql.run(
    `INSERT INTO service_references (service_user_id, reference, kind, target_id)
     VALUES (?, ?, ?, ?)`,
    [serviceUserId, reference, taken.kind, taken.targetId],
  );
}

export async function findReference(
  sql: Sql,
  serviceUserId: UserId,
  reference: string,
): Promise<ServiceReference | null> {
  if (!isStorableText(reference)) return null;
  const [row] = await sql.rows<{ kind: string; target_id: string }>(
    'SELECT kind, target_id FROM service_references WHERE service_user_id = ? AND reference = ?',
    [serviceUserId, reference],
  );
  return row === undefined ? null : { kind: row.kind as ReferenceKind, targetId: row.target_id };
}
