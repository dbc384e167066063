import { validateOrReject, type ValidationError, type ValidatorOptions } from 'class-validator';
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql';
import { DomainError } from '../domain/errors';

/** What type-graphql passes class-validator for `validate: { forbidUnknownValues: false }`. */
const OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

const isObject = (value: unknown): value is object => value !== null && typeof value === 'object';

/**
 * Every argument's class-validator rules, as type-graphql's built-in
 * validation runs them (same options, same ArgumentValidationError), with
 * class-validator imported once. The built-in one calls
 * `require('class-validator')` for every argument, and because another module
 * loaded it first, Node resolves the path on disk again each time (measured:
 * the largest part of validation's cost on a transfer).
 */
export const validateArgument: ValidatorFn = async (value) => {
  if (!isObject(value)) return;
  try {
    if (Array.isArray(value)) {
      await Promise.all(value.filter(isObject).map((item) => validateOrReject(item, OPTIONS)));
    } else {
      await validateOrReject(value, OPTIONS);
    }
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[]);
  }
};

/**
 * A list argument of enum values (types to filter by) names each at most
 * once, so its length is bounded by the enum's before it reaches a query.
 */
export function assertDistinct(values: readonly string[] | null | undefined, field: string): void {
  if (values === null || values === undefined || new Set(values).size === values.length) return;
  throw new DomainError('BAD_USER_INPUT', `"${field}" must name each value at most once.`, {
    field,
  });
}

/** A text argument outside an input type (an email, a reference) is no longer than its kind may be. */
export function assertLengthAtMost(value: string, max: number, field: string): void {
  if (value.length <= max) return;
  throw new DomainError('BAD_USER_INPUT', `"${field}" must be at most ${max} characters.`, {
    field,
  });
}
