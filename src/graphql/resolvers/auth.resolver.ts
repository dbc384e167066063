import type { Request } from 'express';
import { Arg, Ctx, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import { createUser } from '../../app/users';
import { normalizeEmail } from '../../domain/text';
import { dummyPasswordHash, verifyPassword } from '../../app/auth/passwords';
import type { Context } from '../context';
import { findUserById, findUserByEmail } from '../../db/queries';
import type { UserRow } from '../../domain/records';
import { DomainError } from '../../domain/errors';
import { LoginInput, SignupInput } from '../inputs';
import { LoginRateLimit, SignupRateLimit, clientAddress } from '../rate-limits';
import { UserView } from '../types';
import { userView } from '../views';

/**
 * Password checks are the costly part of a request; this keeps aliases from
 * multiplying them (at most 12 logins or signups fit under COMPLEXITY_MAX).
 */
const PASSWORD_COMPLEXITY = 2_000;

/** A new session id for a new sign-in (no fixation), then the user in it. */
function startSession(req: Request, context: Context, user: UserRow): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((error) => {
      if (error) return reject(error);
      req.session.userId = user.id;
      req.session.role = user.role;
      context.caller = { userId: user.id, role: user.role };
      req.session.save((saveError) => (saveError ? reject(saveError) : resolve()));
    });
  });
}

@Resolver()
export class AuthResolver {
  @Mutation(() => UserView, { complexity: PASSWORD_COMPLEXITY })
  @UseMiddleware(SignupRateLimit)
  async signup(@Arg('input') input: SignupInput, @Ctx() context: Context): Promise<UserView> {
    const { db, config } = context.services;
    const user = await createUser(db, {
      name: input.name,
      email: input.email,
      password: input.password,
      role: 'USER',
      walletCurrency: config.defaultCurrency,
    });
    await startSession(context.req, context, user);
    return userView(user);
  }

  @Mutation(() => UserView, { complexity: PASSWORD_COMPLEXITY })
  @UseMiddleware(LoginRateLimit)
  async login(@Arg('input') input: LoginInput, @Ctx() context: Context): Promise<UserView> {
    const { db, loginLimit } = context.services;
    const email = normalizeEmail(input.email);
    const user = await db.read((sql) => findUserByEmail(sql, email));
    // Exactly one verification whether or not the email exists: nothing to tell them apart.
    const passwordMatches = await verifyPassword(
      user?.passwordHash ?? (await dummyPasswordHash()),
      input.password,
    );
    if (user === null || !passwordMatches) {
      throw new DomainError('INVALID_CREDENTIALS', 'The email or password is wrong.');
    }
    await loginLimit.undo(email, clientAddress(context));
    await startSession(context.req, context, user);
    return userView(user);
  }

  @Mutation(() => Boolean)
  async logout(@Ctx() context: Context): Promise<boolean> {
    const { req, res } = context;
    context.caller = null;
    if (req.session) {
      await new Promise<void>((resolve, reject) =>
        req.session.destroy((error) => (error ? reject(error) : resolve())),
      );
    }
    res.clearCookie('wallet.sid', { path: '/' });
    return true;
  }

  @Query(() => UserView, { nullable: true })
  async me(@Ctx() context: Context): Promise<UserView | null> {
    if (context.caller === null) return null;
    const { userId } = context.caller;
    const user = await context.services.db.read((sql) => findUserById(sql, userId));
    return user && userView(user);
  }
}
