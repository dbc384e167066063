import { randomBytes } from 'node:crypto';

/**
 * The benches run servers as they are deployed: NODE_ENV=production (so
 * graphql-js skips its development-only checks, and introspection and the
 * landing page are off), with the SESSION_SECRET production requires (one
 * for every instance of a run, as instances on one database share it).
 * Sign-ups are not rate-limited, so that a run can make its users quickly.
 */
export const DEPLOYED_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'production',
  SESSION_SECRET: randomBytes(32).toString('hex'),
  SIGNUP_RATE_PER_HOUR: '0',
};
