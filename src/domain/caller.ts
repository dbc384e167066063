/** Who is asking: a signed-in user and their role, from the session. */
import { DomainError } from './errors';
import type { Role } from './enums';
import type { UserId } from './ids';

export interface Caller {
  userId: UserId;
  role: Role;
}

/** The refusal of anything asked without a session (or after it ended). */
export function signInFirst(): DomainError {
  return new DomainError('UNAUTHENTICATED', 'Sign in first; your session may have expired.');
}
