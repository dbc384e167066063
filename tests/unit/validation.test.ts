import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import 'reflect-metadata';
import { ArgumentValidationError } from 'type-graphql';
import { SignupInput, WalletToWalletInput } from '../../src/graphql/inputs';
import { validateArgument } from '../../src/graphql/validation';

const signup = (fields: Partial<SignupInput>) =>
  Object.assign(new SignupInput(), {
    name: 'Ada',
    email: 'ada@example.com',
    password: 'long enough',
    ...fields,
  });

const validate = async (value: unknown) => validateArgument(value, undefined as never, {} as never);

/** The reasons an ArgumentValidationError carries, as the API's message lists them. */
async function refusalReasons(value: unknown): Promise<string[]> {
  const error = await validate(value).then(
    () => assert.fail('expected the argument to be refused'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof ArgumentValidationError);
  const details = error.extensions.validationErrors as { constraints?: object }[];
  return details.flatMap((detail) => Object.values(detail.constraints ?? {}) as string[]);
}

describe('argument validation (validateFn)', () => {
  it('accepts an input that keeps every rule', async () => {
    await validate(signup({}));
  });

  it("refuses an input that breaks a rule, with the rule's message", async () => {
    assert.deepEqual(await refusalReasons(signup({ password: 'short' })), [
      'password must be 8 to 128 characters',
    ]);
    assert.deepEqual(await refusalReasons(signup({ name: '   ' })), ['name must not be blank']);
  });

  it('leaves optional fields that are absent alone, and checks them when present', async () => {
    const transfer = (fields: Partial<WalletToWalletInput>) =>
      Object.assign(new WalletToWalletInput(), { toWalletId: 'w', amount: '1.00', ...fields });
    await validate(transfer({}));
    await validate(transfer({ idempotencyKey: null }));
    assert.deepEqual(await refusalReasons(transfer({ idempotencyKey: '' })), [
      'idempotencyKey must be 1 to 128 characters',
    ]);
  });

  it('checks every object of a list, and passes scalars and null through', async () => {
    await validate([signup({}), signup({ email: 'b@example.com' })]);
    assert.deepEqual(await refusalReasons([signup({}), signup({ password: 'short' })]), [
      'password must be 8 to 128 characters',
    ]);
    await validate('a string');
    await validate(null);
    await validate(undefined);
  });
});
