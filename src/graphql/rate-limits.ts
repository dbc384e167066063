import type { MiddlewareFn } from 'type-graphql';
import { normalizeEmail } from '../domain/text';
import { limitKeyOf } from '../app/auth/client-address';
import type { Context } from './context';

/**
 * Rate limits run as middlewares: after the role check and before argument
 * validation, which is the contract's order of precedence.
 */
export const LoginRateLimit: MiddlewareFn<Context> = async ({ args, context }, next) => {
  const email = normalizeEmail(String(args.input?.email ?? ''));
  await context.services.loginLimit.hit(email, clientAddress(context));
  return next();
};

export const SignupRateLimit: MiddlewareFn<Context> = async ({ context }, next) => {
  await context.services.signupLimiter.hit(
    clientAddress(context),
    'Too many sign-ups from this address.',
  );
  return next();
};

/**
 * Lookups of people by email (paying, asking or looking up by email) per user, so that
 * the API cannot list who has an account. Counted whether the email exists
 * or not, before the input is validated (the contract's order).
 */
export const EmailLookupRateLimit: MiddlewareFn<Context> = async ({ args, context }, next) => {
  const input = args.input as { toEmail?: unknown; payerEmail?: unknown } | undefined;
  const looksUp =
    (input?.toEmail !== undefined && input?.toEmail !== null) ||
    input?.payerEmail !== undefined ||
    args.email !== undefined; // recipient(email)
  if (looksUp && context.caller !== null) {
    await context.services.emailLookupLimiter.hit(
      context.caller.userId,
      'Too many lookups of people by email.',
    );
  }
  return next();
};

/**
 * The socket's address, or X-Forwarded-For's with TRUST_PROXY (express's
 * `req.ip`), as the limits count it (an IPv6 client by its /64).
 */
export function clientAddress(context: Context): string {
  return limitKeyOf(context.req.ip ?? 'unknown');
}
