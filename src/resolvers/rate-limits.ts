import type { MiddlewareFn } from 'type-graphql';
import { normalizeEmail } from '../accounts/users';
import type { Context } from '../context';

/**
 * Rate limits run as middlewares: after the role check and before argument
 * validation, which is the contract's order of precedence.
 */
export const LoginRateLimit: MiddlewareFn<Context> = async ({ args, context }, next) => {
  const email = normalizeEmail(String(args.input?.email ?? ''));
  await context.services.loginLimiter.hit(
    email,
    'Too many failed sign-in attempts for this email. Wait 15 minutes and try again.',
  );
  return next();
};

export const SignupRateLimit: MiddlewareFn<Context> = async ({ context }, next) => {
  await context.services.signupLimiter.hit(
    context.req.ip ?? 'unknown',
    'Too many sign-ups from this address. Try again in an hour.',
  );
  return next();
};
