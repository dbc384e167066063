import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { signedIn } from '../auth-checker';
import type { Context } from '../context';
import { formatMinor } from '../../domain/money';
import * as statements from '../../app/statements';
import { DateTimeScalar, MoneyScalar } from '../scalars';
import { OperationConnection, StatementView, WalletView } from '../types';
import { operationsOf, pageComplexity } from './wallet.resolver';

/**
 * What a request may ask of history (the cost limit is 25,000): a balance
 * is one index lookup, a statement sums up to a year of operations, so a
 * request holds at most 25 of those, not thousands under aliases.
 */
const BALANCE_AT_COST = 10;
const STATEMENT_COST = 1_000;

/** A wallet's history: its balance at a moment and a period's statement. */
@Resolver(() => WalletView)
export class WalletHistoryResolver {
  @FieldResolver(() => MoneyScalar, {
    description: 'The balance just before `time`: after the last operation earlier than it.',
    complexity: BALANCE_AT_COST,
  })
  async balanceAt(
    @Root() wallet: WalletView,
    @Arg('time', () => DateTimeScalar) time: Date,
    @Ctx() context: Context,
  ): Promise<string> {
    const minor = await statements.walletBalanceAt(
      context.services,
      signedIn(context),
      wallet,
      time.getTime(),
    );
    return formatMinor(minor, wallet.precision);
  }

  @FieldResolver(() => StatementView, {
    description: '`from` inclusive, `to` exclusive, at most 366 days apart.',
    complexity: ({ childComplexity }) => STATEMENT_COST + childComplexity,
  })
  async statement(
    @Root() wallet: WalletView,
    @Arg('from', () => DateTimeScalar) from: Date,
    @Arg('to', () => DateTimeScalar) to: Date,
    @Ctx() context: Context,
  ): Promise<StatementView> {
    const totals = await statements.walletStatement(
      context.services,
      signedIn(context),
      wallet,
      from.getTime(),
      to.getTime(),
    );
    const money = (minor: bigint) => formatMinor(minor, wallet.precision);
    return {
      walletId: wallet.id,
      from,
      to,
      currency: wallet.currency,
      openingBalance: money(totals.openingMinor),
      closingBalance: money(totals.closingMinor),
      totalIn: money(totals.inMinor),
      totalOut: money(totals.outMinor),
      wallet,
    };
  }
}

@Resolver(() => StatementView)
export class StatementResolver {
  @FieldResolver(() => OperationConnection, {
    description: "The period's operations, newest first.",
    complexity: pageComplexity,
  })
  operations(
    @Root() statement: StatementView,
    @Arg('first', () => Int, { defaultValue: 20, nullable: true }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: Context,
  ) {
    const filter = { fromMs: statement.from.getTime(), toMs: statement.to.getTime(), types: null };
    return operationsOf(context, statement.wallet, filter, first, after);
  }
}
