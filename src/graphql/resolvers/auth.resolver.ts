import type { Request } from 'express';
import { Arg, Ctx, Mutation, Query, Resolver, UseMiddleware } from 'type-graphql';
import * as users from '../../app/users';
import type { Context } from '../context';
import type { UserRow } from '../../domain/records';
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
    const user = await users.signUp(context.services, input);
    await startSession(context.req, context, user);
    return userView(user);
  }

  @Mutation(() => UserView, { complexity: PASSWORD_COMPLEXITY })
  @UseMiddleware(LoginRateLimit)
  async login(@Arg('input') input: LoginInput, @Ctx() context: Context): Promise<UserView> {
    const user = await users.logIn(context.services, input, clientAddress(context));
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
    const user = await users.me(context.services, context.caller);
    return user && userView(user);
  }
}
