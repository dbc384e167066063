/** The contract's inputs; their shape rules (class-validator) live here and only here. */
import {
  IsOptional,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  isEmail,
  type ValidationOptions,
} from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { MoneyScalar } from './scalars';

/** An email address once trimmed, at most 254 characters. */
function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmailAddress',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && value.trim().length <= 254 && isEmail(value.trim()),
        defaultMessage: () => 'email must be a valid email address of at most 254 characters',
      },
    },
    options,
  );
}

/**
 * Text the database can keep: PostgreSQL's text cannot hold U+0000 (SQLite's
 * can, and both refuse it here, so the API behaves the same on each).
 */
function HasNoNulCharacter(field: string): PropertyDecorator {
  return ValidateBy({
    name: 'hasNoNulCharacter',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !value.includes('\u0000'),
      defaultMessage: () => `${field} must not contain the character U+0000`,
    },
  });
}

@InputType()
export class SignupInput {
  @Field()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  @Matches(/\S/, { message: 'name must not be blank' })
  @HasNoNulCharacter('name')
  name!: string;

  @Field()
  @IsEmailAddress()
  email!: string;

  @Field()
  @Length(8, 128, { message: 'password must be 8 to 128 characters' })
  password!: string;
}

@InputType()
export class LoginInput {
  @Field()
  @MaxLength(254, { message: 'email must be at most 254 characters' })
  @HasNoNulCharacter('email')
  email!: string;

  @Field()
  @MaxLength(128, { message: 'password must be at most 128 characters' })
  password!: string;
}

@InputType()
export class ExternalToWalletInput {
  @Field(() => ID)
  walletId!: string;

  @Field(() => MoneyScalar)
  amount!: string;

  @Field()
  @Length(1, 128, { message: 'reference must be 1 to 128 characters' })
  @HasNoNulCharacter('reference')
  reference!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500, { message: 'details must be at most 500 characters' })
  @HasNoNulCharacter('details')
  details?: string | null;
}

@InputType()
export class WalletToExternalInput extends ExternalToWalletInput {}

@InputType()
export class WalletToWalletInput {
  @Field(() => ID)
  toWalletId!: string;

  @Field(() => MoneyScalar)
  amount!: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  fromWalletId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500, { message: 'details must be at most 500 characters' })
  @HasNoNulCharacter('details')
  details?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 128, { message: 'idempotencyKey must be 1 to 128 characters' })
  @HasNoNulCharacter('idempotencyKey')
  idempotencyKey?: string | null;
}
