import type { AuthChecker } from 'type-graphql';
import type { Context } from './context';
import { signInFirst, type Caller } from '../domain/caller';
import type { Role } from '../domain/enums';

/** type-graphql's checker: no session is UNAUTHENTICATED; a wrong role is FORBIDDEN. */
export const authChecker: AuthChecker<Context, Role> = ({ context }, roles) => {
  if (context.caller === null) {
    throw signInFirst();
  }
  return roles.length === 0 || roles.includes(context.caller.role);
};

/** The caller of a resolver guarded by @Authorized. */
export function signedIn(context: Context): Caller {
  if (context.caller === null) {
    throw signInFirst();
  }
  return context.caller;
}
