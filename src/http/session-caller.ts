/** What a session holds of its person, and the one reading of it for every route. */
import type { Request } from 'express';
import type { Caller } from '../domain/caller';
import type { Role } from '../domain/enums';
import type { UserId } from '../domain/ids';

declare module 'express-session' {
  interface SessionData {
    userId: string;
    role: Role;
  }
}

/** The caller a request's session names, or null when nobody is signed in. */
export function callerOf(req: Request): Caller | null {
  const { userId, role } = req.session ?? {};
  return userId && role ? { userId: userId as UserId, role } : null;
}
