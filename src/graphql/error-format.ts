/**
 * The one mapping from anything thrown in a GraphQL request to what a client
 * sees, and which of those are faults of ours to log.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError, INTERNAL_MESSAGE, isClientError } from '../domain/errors';

/** Codes Apollo itself gives to requests that never reached a resolver. */
const APOLLO_REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** What class-validator found, in words, and the first field at fault. */
function validationRefusal(error: GraphQLError): { message: string; field?: string } {
  const details = error.extensions?.validationErrors;
  if (!Array.isArray(details)) return { message: 'The input is not valid.' };
  const reasons: string[] = [];
  let field: string | undefined;
  const walk = (items: unknown[]): void => {
    for (const item of items as {
      property?: string;
      constraints?: Record<string, string>;
      children?: unknown[];
    }[]) {
      if (item.constraints) {
        reasons.push(...Object.values(item.constraints));
        field ??= item.property;
      }
      if (item.children) walk(item.children);
    }
  };
  walk(details);
  if (reasons.length === 0) return { message: 'The input is not valid.' };
  return { message: `Invalid input: ${reasons.join('; ')}.`, field };
}

/**
 * The one mapping from anything thrown to what a client sees: a DomainError
 * keeps its code and message; type-graphql's refusals get the contract's
 * codes; anything else is INTERNAL_SERVER_ERROR with no internals.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  thrown: unknown,
): GraphQLFormattedError {
  const original = unwrapResolverError(thrown);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError) {
    return {
      ...base,
      message: original.message,
      extensions: { code: original.code, ...original.details },
    };
  }
  if (original instanceof GraphQLError) {
    const name = original.constructor.name;
    if (name === 'AuthenticationError') {
      return { ...base, message: 'Sign in first.', extensions: { code: 'UNAUTHENTICATED' } };
    }
    if (name === 'AuthorizationError') {
      return {
        ...base,
        message: 'Your account is not allowed to do this.',
        extensions: { code: 'FORBIDDEN' },
      };
    }
    if (name === 'ArgumentValidationError') {
      const { message, field } = validationRefusal(original);
      return {
        ...base,
        message,
        extensions: { code: 'BAD_USER_INPUT', ...(field === undefined ? {} : { field }) },
      };
    }
  }
  const code = formatted.extensions?.code;
  if (isApolloRequestError(code, formatted.path)) {
    return { ...base, extensions: { code } };
  }
  if (isRequestRefusal(thrown, formatted.path)) {
    return { ...base, extensions: { code: 'BAD_REQUEST' } };
  }
  return { ...base, message: INTERNAL_MESSAGE, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

function isApolloRequestError(code: unknown, path: unknown): boolean {
  return typeof code === 'string' && APOLLO_REQUEST_CODES.has(code) && path === undefined;
}

/**
 * An error Apollo raised about the request itself, with a 4xx status but no
 * code of its own (a persisted query's hash that does not match, say): the
 * client's mistake, not a fault to log.
 */
function isRequestRefusal(thrown: unknown, path: unknown): boolean {
  const status = (thrown as GraphQLError | null)?.extensions?.http as
    { status?: unknown } | undefined;
  return (
    path === undefined &&
    typeof status?.status === 'number' &&
    status.status >= 400 &&
    status.status < 500
  );
}

/** Whether formatError will answer this with INTERNAL_SERVER_ERROR: a fault to log. */
export function isFault(error: GraphQLError): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return !isClientError(original.code);
  if (original instanceof GraphQLError && original !== error) {
    return !['AuthenticationError', 'AuthorizationError', 'ArgumentValidationError'].includes(
      original.constructor.name,
    );
  }
  if (original === error) {
    const name = error.constructor.name;
    if (['AuthenticationError', 'AuthorizationError', 'ArgumentValidationError'].includes(name)) {
      return false;
    }
    return (
      !isApolloRequestError(error.extensions?.code, error.path) &&
      !isRequestRefusal(error, error.path)
    );
  }
  return true;
}
