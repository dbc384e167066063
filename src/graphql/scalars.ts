import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { amountShapeProblem } from '../domain/money';
import { INSTANT_FORMAT, readInstant } from '../domain/period';

function parseMoney(value: unknown): string {
  const problem = amountShapeProblem(value);
  if (problem !== null) throw new GraphQLError(`Invalid Money: ${problem}.`);
  return value as string;
}

/**
 * Money: a decimal string in major units. Input is checked for shape here
 * (a bad variable is BAD_USER_INPUT, a bad literal fails validation); its
 * precision is checked against the wallet's currency by the ledger. Output is
 * formatted with exactly the currency's precision before it gets here.
 */
export const MoneyScalar = new GraphQLScalarType({
  name: 'Money',
  description:
    'An amount in major units as a decimal string, e.g. "10.50" USD, "5" JPY, "1.250" BHD.',
  serialize(value) {
    if (typeof value !== 'string') throw new GraphQLError('Money is serialized from a string.');
    return value;
  },
  parseValue: parseMoney,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('Invalid Money: an amount must be a string such as "10.50".');
    }
    return parseMoney(ast.value);
  },
});

function parseDateTime(value: unknown): Date {
  const read =
    typeof value === 'string' ? readInstant(value) : { problem: `use ${INSTANT_FORMAT}` };
  if ('problem' in read) throw new GraphQLError(`Invalid DateTime: ${read.problem}.`);
  return new Date(read.ms);
}

/**
 * ISO 8601 in UTC with milliseconds out; in, any time zone (or a date
 * alone), a finer instant rounded up to the millisecond (see parseInstant).
 */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description:
    'An instant as ISO 8601 in UTC with milliseconds, e.g. 2026-11-21T10:00:00.000Z. As input, any time zone, or a date alone (midnight UTC).',
  serialize(value) {
    if (!(value instanceof Date)) throw new GraphQLError('DateTime is serialized from a Date.');
    return value.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError(`Invalid DateTime: use ${INSTANT_FORMAT}.`);
    return parseDateTime(ast.value);
  },
});
