/** The contract's inputs; their shape rules (class-validator) live here and only here. */
import {
  IsInt,
  IsOptional,
  Length,
  Max,
  Min,
  Matches,
  MaxLength,
  ValidateBy,
  isEmail,
  type ValidationOptions,
} from 'class-validator';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { isStorableText } from '../domain/text';
import type { EventType } from '../domain/event-types';
import { MoneyScalar } from './scalars';
import { EventTypeEnum } from './types';
import {
  DETAILS_LENGTH_MAX,
  EMAIL_LENGTH_MAX,
  EXPIRES_IN_SECONDS,
  KEY_LENGTH_MAX,
  NAME_LENGTH_MAX,
  PASSWORD_LENGTH,
  URL_LENGTH_MAX,
} from '../domain/limits';

/** An email address once trimmed, at most EMAIL_LENGTH_MAX characters. */
function IsEmailAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isEmailAddress',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          value.trim().length <= EMAIL_LENGTH_MAX &&
          isEmail(value.trim()),
        defaultMessage: () =>
          `email must be a valid email address of at most ${EMAIL_LENGTH_MAX} characters`,
      },
    },
    options,
  );
}

/** Text both databases keep as given (isStorableText): no U+0000, no half of a surrogate pair. */
function IsStorableText(field: string): PropertyDecorator {
  return ValidateBy({
    name: 'isStorableText',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || isStorableText(value),
      defaultMessage: () => `${field} must be well-formed Unicode without the character U+0000`,
    },
  });
}

/**
 * A name is what a payer reads before confirming a payment, so it may hold
 * none of what makes text look other than it is: control characters (line
 * breaks among them), direction overrides and marks, zero-width spaces.
 * Joiners (U+200C, U+200D) stay: Persian names and emoji need them.
 */
const NAME_CHARACTERS =
  /^[^\p{Cc}\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u2028\u2029]*$/u;

/** Each value at most once, so a list of enum values is no longer than its enum (a Set: linear). */
function IsDistinct(field: string): PropertyDecorator {
  return ValidateBy({
    name: 'isDistinct',
    validator: {
      validate: (value: unknown) => !Array.isArray(value) || new Set(value).size === value.length,
      defaultMessage: () => `${field} must name each value at most once`,
    },
  });
}

@InputType()
export class SignupInput {
  @Field()
  @Length(1, NAME_LENGTH_MAX, { message: `name must be 1 to ${NAME_LENGTH_MAX} characters` })
  @Matches(/\S/, { message: 'name must not be blank' })
  @IsStorableText('name')
  @Matches(NAME_CHARACTERS, {
    message: 'name must not hold line breaks, control characters or invisible direction marks',
  })
  name!: string;

  @Field()
  @IsEmailAddress()
  email!: string;

  @Field()
  @Length(PASSWORD_LENGTH.min, PASSWORD_LENGTH.max, {
    message: `password must be ${PASSWORD_LENGTH.min} to ${PASSWORD_LENGTH.max} characters`,
  })
  password!: string;
}

@InputType()
export class LoginInput {
  @Field()
  @MaxLength(EMAIL_LENGTH_MAX, { message: `email must be at most ${EMAIL_LENGTH_MAX} characters` })
  @IsStorableText('email')
  email!: string;

  @Field()
  @MaxLength(PASSWORD_LENGTH.max, {
    message: `password must be at most ${PASSWORD_LENGTH.max} characters`,
  })
  password!: string;
}

@InputType()
export class ExternalToWalletInput {
  @Field(() => ID)
  walletId!: string;

  @Field(() => MoneyScalar)
  amount!: string;

  @Field()
  @Length(1, KEY_LENGTH_MAX, { message: `reference must be 1 to ${KEY_LENGTH_MAX} characters` })
  @IsStorableText('reference')
  reference!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(DETAILS_LENGTH_MAX, {
    message: `details must be at most ${DETAILS_LENGTH_MAX} characters`,
  })
  @IsStorableText('details')
  details?: string | null;
}

@InputType()
export class WalletToExternalInput extends ExternalToWalletInput {}

@InputType()
export class WalletToWalletInput {
  @Field(() => ID, { nullable: true, description: 'Exactly one of toWalletId and toEmail.' })
  @IsOptional()
  toWalletId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Pays that person's wallet in the sender's currency.",
  })
  @IsOptional()
  @IsEmailAddress()
  toEmail?: string | null;

  @Field(() => MoneyScalar)
  amount!: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  fromWalletId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(DETAILS_LENGTH_MAX, {
    message: `details must be at most ${DETAILS_LENGTH_MAX} characters`,
  })
  @IsStorableText('details')
  details?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, KEY_LENGTH_MAX, {
    message: `idempotencyKey must be 1 to ${KEY_LENGTH_MAX} characters`,
  })
  @IsStorableText('idempotencyKey')
  idempotencyKey?: string | null;
}

/** expiresInSeconds: optional, 1 to 30 days. */
function ExpiresInSeconds(): PropertyDecorator {
  return (target, property) => {
    IsOptional()(target, property);
    IsInt({ message: 'expiresInSeconds must be a whole number' })(target, property);
    Min(EXPIRES_IN_SECONDS.min, {
      message: `expiresInSeconds must be at least ${EXPIRES_IN_SECONDS.min}`,
    })(target, property);
    Max(EXPIRES_IN_SECONDS.max, {
      message: `expiresInSeconds must be at most ${EXPIRES_IN_SECONDS.max} (30 days)`,
    })(target, property);
  };
}

@InputType()
export class AuthorizeHoldInput {
  @Field(() => ID)
  walletId!: string;

  @Field(() => MoneyScalar)
  amount!: string;

  @Field()
  @Length(1, KEY_LENGTH_MAX, { message: `reference must be 1 to ${KEY_LENGTH_MAX} characters` })
  @IsStorableText('reference')
  reference!: string;

  @Field(() => Int, {
    nullable: true,
    description: '1 to 2,592,000 (30 days); 604,800 by default.',
  })
  @ExpiresInSeconds()
  expiresInSeconds?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(DETAILS_LENGTH_MAX, {
    message: `details must be at most ${DETAILS_LENGTH_MAX} characters`,
  })
  @IsStorableText('details')
  details?: string | null;
}

@InputType()
export class CaptureHoldInput {
  @Field(() => ID)
  holdId!: string;

  @Field(() => MoneyScalar, { nullable: true, description: 'No amount: the whole hold.' })
  @IsOptional()
  amount?: string | null;
}

@InputType()
export class RefundTransferInput {
  @Field(() => ID)
  transferId!: string;

  @Field(() => MoneyScalar, { nullable: true, description: 'No amount: all that is left.' })
  @IsOptional()
  amount?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, KEY_LENGTH_MAX, {
    message: `idempotencyKey must be 1 to ${KEY_LENGTH_MAX} characters`,
  })
  @IsStorableText('idempotencyKey')
  idempotencyKey?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(DETAILS_LENGTH_MAX, {
    message: `details must be at most ${DETAILS_LENGTH_MAX} characters`,
  })
  @IsStorableText('details')
  details?: string | null;
}

@InputType()
export class RequestPaymentInput {
  @Field({ description: 'Who is asked to pay.' })
  @IsEmailAddress()
  payerEmail!: string;

  @Field(() => MoneyScalar)
  amount!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "Where to be paid: one of the requester's wallets; by default the one in the default currency.",
  })
  @IsOptional()
  toWalletId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(DETAILS_LENGTH_MAX, {
    message: `details must be at most ${DETAILS_LENGTH_MAX} characters`,
  })
  @IsStorableText('details')
  details?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: '1 to 2,592,000 (30 days); 604,800 by default.',
  })
  @ExpiresInSeconds()
  expiresInSeconds?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, KEY_LENGTH_MAX, {
    message: `idempotencyKey must be 1 to ${KEY_LENGTH_MAX} characters`,
  })
  @IsStorableText('idempotencyKey')
  idempotencyKey?: string | null;
}

@ArgsType()
export class PayPaymentRequestArgs {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, {
    nullable: true,
    description: "By default the payer's wallet in the request's currency.",
  })
  @IsOptional()
  fromWalletId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, KEY_LENGTH_MAX, {
    message: `idempotencyKey must be 1 to ${KEY_LENGTH_MAX} characters`,
  })
  @IsStorableText('idempotencyKey')
  idempotencyKey?: string | null;
}

@InputType()
export class CreateWebhookEndpointInput {
  @Field({ description: 'https (http only outside production), at most 2,048 characters.' })
  @MaxLength(URL_LENGTH_MAX, { message: `url must be at most ${URL_LENGTH_MAX} characters` })
  @IsStorableText('url')
  url!: string;

  @Field(() => [EventTypeEnum])
  @IsDistinct('eventTypes')
  eventTypes!: EventType[];
}
