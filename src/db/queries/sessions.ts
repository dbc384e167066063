/** The sessions table, as the rest of the service (not the session store) touches it. */
import type { UserId } from '../../domain/ids';
import type { Sql } from '../sql';

/**
 * Ends every session of a user, on every instance at once (each request reads
 * its session's row). Inside the transaction that changes what the sessions
 * were granted on: the password, the role.
 */
export async function endSessionsOf(sql: Sql, userId: UserId): Promise<number> {
  return sql.run('DELETE FROM sessions WHERE user_id = ?', [userId]);
}
